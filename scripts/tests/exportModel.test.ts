import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dropOptimizerState, loadCheckpoint, loadTorchConv4 } from '../load-checkpoint';
import { decodeSafetensors, encodeSafetensors } from '../../src/maml/io/safetensors';
import { conv4FromTorch } from '../../src/maml/io/conv4Torch';
import { makeExampleFolders } from '../lib/makeExampleFolders';
import { loadOmniglot } from '../lib/omniglotData';
import { decodeImage } from '../lib/decodeImage';
import { preprocessRgba } from '../../src/maml/omniglot/preprocess';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import * as tf from '../../src/maml/tf';

/** Runs a script as npm run would; resolves with its exit status and output, whatever the status. */
async function run(script: string, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('npx', ['vite-node', script, '--', ...args], {
      encoding: 'utf8',
      timeout: 240_000,
    });
    return { status: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { status: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const exportModel = (args: string[]) => run('scripts/export-model.ts', args);
const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const readSafetensors = (path: string) => {
  const buf = readFileSync(path);
  return decodeSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
};

describe('npm run export-model', () => {
  it('writes the shipped Omniglot model as PyTorch-named safetensors that read back to the same blocks, bit for bit', async () => {
    const out = tmp('export-omniglot-');
    const r = await exportModel(['--lab', 'omniglot', '--format', 'safetensors', '--out', out]);
    expect(r.stderr).not.toMatch(/export-model:/);
    expect(r.status).toBe(0);
    const { tensors, metadata } = readSafetensors(join(out, 'model.safetensors'));
    const back = conv4FromTorch(tensors);
    const ck = loadCheckpoint('public/models/omniglot');
    expect(back.filters).toBe(64);
    expect(back.head).toBeUndefined();
    expect(back.theta.map(bits)).toEqual(ck.learners.maml.theta.map(bits));
    const config = ck.manifest.config as { alpha: number; way: number; testSteps: number };
    expect(metadata).toMatchObject({
      architecture: 'conv4',
      filters: '64',
      producer: 'maml-lab',
      learner: 'maml',
      alpha: String(config.alpha),
      way: String(config.way),
      testSteps: String(config.testSteps),
    });
    // What a PyTorch save_file would give (no metadata): the settings come from the shipped manifest.
    const bare = join(out, 'bare.safetensors');
    writeFileSync(bare, encodeSafetensors([...tensors].map(([name, t]) => ({ name, ...t }))));
    const loaded = loadTorchConv4(bare);
    expect(loaded.config).toEqual(ck.manifest.config);
    expect(loaded.theta.map(bits)).toEqual(ck.learners.maml.theta.map(bits));
  });

  it('re-encodes a checkpoint as tfjs, byte for byte the same weights', async () => {
    const out = tmp('export-tfjs-');
    const r = await exportModel(['--lab', 'omniglot', '--format', 'tfjs', '--out', out]);
    expect(r.status).toBe(0);
    expect(readFileSync(join(out, 'weights.bin')).equals(readFileSync('public/models/omniglot/weights.bin'))).toBe(true);
    const ck = loadCheckpoint(out);
    expect(ck.manifest.config).toEqual(loadCheckpoint('public/models/omniglot').manifest.config);
    // Adam's state comes along where there is one (the shipped model has none; this checkpoint keeps it to resume from).
    const withAdam = tmp('export-tfjs-adam-');
    const again = await exportModel([
      '--lab',
      'omniglot',
      '--format',
      'tfjs',
      '--checkpoint',
      'docs/results/omniglot-64',
      '--out',
      withAdam,
    ]);
    expect(again.status).toBe(0);
    expect(readFileSync(join(withAdam, 'weights.bin')).equals(readFileSync('docs/results/omniglot-64/weights.bin'))).toBe(true);
    expect(loadCheckpoint(withAdam).learners.maml.optimizer?.length).toBe(25);
  });

  it('drops Adam from a checkpoint for shipping: θ and iteration bit for bit, a third of the bytes', async () => {
    const dir = tmp('drop-adam-');
    for (const f of ['manifest.json', 'weights.bin']) writeFileSync(join(dir, f), readFileSync(join('docs/results/omniglot-64', f)));
    const before = loadCheckpoint(dir);
    await dropOptimizerState(dir);
    const after = loadCheckpoint(dir);
    expect(after.learners.maml.optimizer).toBeUndefined();
    expect(after.manifest.learners.maml).toEqual({ ...before.manifest.learners.maml, optimizerSlots: 0 });
    expect(after.learners.maml.iteration).toBe(before.learners.maml.iteration);
    expect(after.learners.maml.theta.map(bits)).toEqual(before.learners.maml.theta.map(bits));
    const { weightsManifest: _a, learners: _b, ...kept } = before.manifest;
    expect(after.manifest).toMatchObject(kept);
    expect(readFileSync(join(dir, 'weights.bin')).length).toBeLessThan(readFileSync('docs/results/omniglot-64/weights.bin').length / 2.9);
  });

  it('writes the MLPs as nn.Sequential names, weights [out, in], and the policy log_std', async () => {
    const rlOut = tmp('export-rl-');
    const sinOut = tmp('export-sinusoid-');
    const [rl, sin] = await Promise.all([
      exportModel(['--lab', 'rl', '--task', 'velocity', '--method', 'pretrained', '--format', 'safetensors', '--out', rlOut]),
      exportModel(['--lab', 'sinusoid', '--method', 'pretrained', '--format', 'safetensors', '--out', sinOut]),
    ]);
    expect(rl.status).toBe(0);
    expect(sin.status).toBe(0);

    const policy = readSafetensors(join(rlOut, 'model.safetensors'));
    const theta = loadCheckpoint('public/models/rl/velocity/pretrained').learners.pretrained.theta;
    expect([...policy.tensors].map(([n, t]) => `${n} [${t.shape}]`).sort()).toEqual(
      [
        'net.0.weight [100,2]',
        'net.0.bias [100]',
        'net.2.weight [100,100]',
        'net.2.bias [100]',
        'net.4.weight [2,100]',
        'net.4.bias [2]',
        'log_std [2]',
      ].sort(),
    );
    expect(policy.metadata).toMatchObject({ architecture: 'gaussianMlp', sizes: '2,100,100,2', family: 'velocity', learner: 'pretrained' });
    expect(bits(policy.tensors.get('log_std')!.values)).toEqual(bits(theta[6]));
    // ours W1 is [in, out] row-major: W1[i][o] = theta[2][i * 100 + o]; PyTorch's is [out, in].
    const w = policy.tensors.get('net.2.weight')!.values;
    for (const [i, o] of [
      [0, 1],
      [3, 97],
      [99, 42],
    ])
      expect(w[o * 100 + i]).toBe(theta[2][i * 100 + o]);

    const sinusoid = readSafetensors(join(sinOut, 'model.safetensors'));
    const sTheta = loadCheckpoint('public/models/sinusoid').learners.pretrained.theta;
    expect(sinusoid.tensors.get('net.0.weight')!.shape).toEqual([40, 1]);
    expect(sinusoid.tensors.get('net.4.weight')!.shape).toEqual([1, 40]);
    expect(bits(sinusoid.tensors.get('net.4.weight')!.values)).toEqual(bits(sTheta[4]));
    expect(sinusoid.tensors.has('log_std')).toBe(false);
    expect(sinusoid.metadata).toMatchObject({ architecture: 'mlp', sizes: '1,40,40,1', learner: 'pretrained', testSteps: '10' });
  });

  it('refuses an unknown lab or format, and the layers format without classes or for another lab, with exit status 2', async () => {
    const out = tmp('export-refused-');
    const [lab, format, layers, layersRl] = await Promise.all([
      exportModel(['--lab', 'mnist', '--format', 'tfjs', '--out', out]),
      exportModel(['--lab', 'omniglot', '--format', 'onnx', '--out', out]),
      exportModel(['--lab', 'omniglot', '--format', 'layers', '--out', out]),
      exportModel(['--lab', 'rl', '--format', 'layers', '--out', out]),
    ]);
    expect(lab.status).toBe(2);
    expect(lab.stderr).toMatch(/--lab mnist is not one of sinusoid, omniglot, rl/);
    expect(format.status).toBe(2);
    expect(format.stderr).toMatch(/--format onnx is not one of tfjs, safetensors, layers/);
    expect(layers.status).toBe(2);
    expect(layers.stderr).toMatch(/--format layers adapts to your classes first: give --support DIR/);
    expect(layersRl.status).toBe(2);
    expect(layersRl.stderr).toMatch(/--format layers is the adapted Omniglot classifier/);
  });

  it('--format layers writes the classifier adapted to a support folder; tf.loadLayersModel predicts what npm run classify prints', async () => {
    const dir = tmp('export-layers-');
    makeExampleFolders(loadOmniglot(), dir, 5, 1, 2, 'export-layers');
    const out = join(dir, 'classifier');
    const [exported, classified] = await Promise.all([
      exportModel(['--lab', 'omniglot', '--format', 'layers', '--support', join(dir, 'support'), '--out', out]),
      run('scripts/classify.ts', ['--support', join(dir, 'support'), '--query', join(dir, 'query')]),
    ]);
    expect(exported.status).toBe(0);
    expect(classified.status).toBe(0);
    const modelJson = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    const metadata = JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8'));
    const weights = readFileSync(join(out, modelJson.weightsManifest[0].paths[0]));
    const model = await loadLayersModel(
      tf.io.fromMemory({
        ...modelJson,
        weightSpecs: modelJson.weightsManifest[0].weights,
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    );
    const rows = classified.stdout.trim().split('\n').slice(1);
    expect(rows).toHaveLength(10);
    for (const row of rows) {
      const [file, predicted, probability] = row.split(',');
      const img = decodeImage(file, new Uint8Array(readFileSync(join(dir, 'query', file))));
      const { pixels } = preprocessRgba(img.data, img.width, img.height);
      const probs = Array.from(tf.tidy(() => (model.predict(tf.tensor4d(pixels, [1, 28, 28, 1])) as tf.Tensor).dataSync()));
      const best = probs.indexOf(Math.max(...probs));
      expect(metadata.labels[best], file).toBe(predicted);
      // The CSV prints 4 decimals: within 1e-4 of the model's probability, plus that rounding.
      expect(Math.abs(probs[best] - Number(probability)), file).toBeLessThan(1.5e-4);
    }
    model.dispose();
  });
});

describe('npm run classify with a .safetensors model', () => {
  it('gives the same predictions as the checkpoint it was exported from, and names what is wrong with a bad file', async () => {
    const dir = tmp('classify-safetensors-');
    makeExampleFolders(loadOmniglot(), dir, 5, 1, 2, 'export-test');
    const out = join(dir, 'model');
    expect((await exportModel(['--lab', 'omniglot', '--format', 'safetensors', '--out', out])).status).toBe(0);
    const bad = join(dir, 'bad.safetensors');
    const { tensors } = readSafetensors(join(out, 'model.safetensors'));
    tensors.delete('blocks.2.norm.bias');
    writeFileSync(bad, encodeSafetensors([...tensors].map(([name, t]) => ({ name, ...t }))));
    const classify = (checkpoint: string[]) =>
      run('scripts/classify.ts', ['--support', join(dir, 'support'), '--query', join(dir, 'query'), ...checkpoint]);
    const [shipped, exported, refused] = await Promise.all([
      classify([]),
      classify(['--checkpoint', join(out, 'model.safetensors')]),
      classify(['--checkpoint', bad]),
    ]);
    expect(shipped.status).toBe(0);
    expect(exported.status).toBe(0);
    expect(exported.stdout.trim().split('\n')).toHaveLength(11);
    expect(exported.stdout).toBe(shipped.stdout);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/bad\.safetensors: Not the conv-4 model: blocks\.2\.norm\.bias is missing/);
  });
});
