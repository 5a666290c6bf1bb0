import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import * as tf from '../tf';
import { decodeCheckpoint } from '../checkpoint';
import { ConvNet, initBody, BODY_PARAMS, PARAMS_PER_BLOCK, type ConvNetShape } from '../networks/convNet';
import { tfGemm } from '../networks/gemm';
import { createRng } from '../random';
import { classifyFewShot } from '../omniglot/fewShotClassify';
import { innerFor, type OmniglotConfig } from '../omniglot/config';
import { openOmniglotPack, OMNIGLOT_PIXELS } from '../omniglot/pack';
import { sampleEpisodes } from '../omniglot/tasks';
import { mostProbableClass } from '../metrics';
import {
  LayersExportError,
  WEIGHTS_FILE,
  exportLayersClassifier,
  predictFrozen,
  supportStatistics,
  type LayersClassifierExport,
  type LayersModelJson,
} from './layersClassifier';

/** The adapted classifier of classifyFewShot (the page's and the command line's adaptation) and its support images, back to back. */
function adaptFewShot(net: ConvNet, body: Float32Array[], classes: Float32Array[][], inner: { alpha: number; steps: number }) {
  const { adapted } = classifyFewShot(net, body, { classes, queries: [classes[0][0]] }, inner);
  const flat = classes.flat();
  const support = new Float32Array(flat.length * 784);
  flat.forEach((img, i) => support.set(img, i * 784));
  return { theta: adapted.theta, head: adapted.head, support };
}

/**
 * The exported LayersModel, loaded by tfjs-layers itself (sharing the tests' tfjs-core and
 * its wasm backend), predicts what predictFrozen computes; on the shipped model and held-out
 * Omniglot characters too. Also: how often the frozen model agrees with the page's own
 * predictions, which normalise the query batch by its own statistics.
 */
const ROOT = resolve(import.meta.dirname, '..', '..', '..');

function shippedModel() {
  const dir = resolve(ROOT, 'public', 'models', 'omniglot');
  const manifest = JSON.parse(readFileSync(resolve(dir, 'manifest.json'), 'utf8'));
  const buf = readFileSync(resolve(dir, manifest.weightsManifest[0].paths[0]));
  const ck = decodeCheckpoint(manifest, buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return { config: ck.manifest.config as OmniglotConfig, body: ck.learners.maml.theta };
}

function omniglot() {
  const dir = resolve(ROOT, 'public', 'data');
  return openOmniglotPack(
    JSON.parse(readFileSync(resolve(dir, 'omniglot.json'), 'utf8')),
    new Uint8Array(readFileSync(resolve(dir, 'omniglot.bin'))),
  );
}

/** model.json as a downloaded file gives it back: through JSON text, with the weights in a fresh buffer. */
function asFiles(exp: LayersClassifierExport): { json: LayersModelJson; bin: ArrayBuffer } {
  return { json: JSON.parse(JSON.stringify(exp.modelJson)), bin: new Uint8Array(exp.weightsBin).slice().buffer };
}

async function loadFromMemory(exp: LayersClassifierExport): Promise<LayersModel> {
  const { json, bin } = asFiles(exp);
  return loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: bin,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
    }),
  );
}

/** As a web page loads it: model.json by URL, its weights by the manifest's relative path. */
async function loadOverHttp(exp: LayersClassifierExport): Promise<{ model: LayersModel; fetched: string[] }> {
  const { json, bin } = asFiles(exp);
  const files: Record<string, BodyInit> = { 'model.json': JSON.stringify(json), [WEIGHTS_FILE]: bin };
  const fetched: string[] = [];
  const fetchFunc = async (url: string | URL | Request) => {
    const u = String(url);
    fetched.push(u);
    const name = u.slice(u.lastIndexOf('/') + 1);
    return name in files ? new Response(files[name]) : new Response('not found', { status: 404 });
  };
  const model = await loadLayersModel(tf.io.http('https://example.test/my-classes/model.json', { fetchFunc: fetchFunc as typeof fetch }));
  return { model, fetched };
}

function predictLayers(model: LayersModel, images: Float32Array, count: number): Float32Array {
  return tf.tidy(() => {
    const out = model.predict(tf.tensor4d(images, [count, 28, 28, 1])) as tf.Tensor;
    expect(out).toBeInstanceOf(tf.Tensor); // one tfjs-core: the layers' tensors are ours
    return out.dataSync() as Float32Array;
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function argmaxes(p: ArrayLike<number>, way: number): number[] {
  return Array.from({ length: p.length / way }, (_, q) => mostProbableClass(p, q, way));
}

/** Sparse strokes of random ink, 28x28 each. */
function syntheticImages(seed: string, n: number): Float32Array[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const img = new Float32Array(OMNIGLOT_PIXELS);
    for (let s = 0; s < 4; s++) {
      let y = 4 + rng.int(20),
        x = 4 + rng.int(20);
      for (let k = 0; k < 12; k++) {
        img[y * 28 + x] = Math.max(img[y * 28 + x], 0.5 + 0.5 * rng.next());
        y = Math.min(27, Math.max(0, y + rng.int(3) - 1));
        x = Math.min(27, Math.max(0, x + rng.int(3) - 1));
      }
    }
    return img;
  });
}

function concat(images: Float32Array[]): Float32Array {
  const out = new Float32Array(images.length * OMNIGLOT_PIXELS);
  images.forEach((img, i) => out.set(img, i * OMNIGLOT_PIXELS));
  return out;
}

describe('a small random conv-4, adapted and exported', () => {
  const shape: ConvNetShape = { filters: 5, channels: 1, imageSize: 28 };
  const net = new ConvNet(shape, tfGemm);
  const rng = createRng('layers/body');
  // He-uniform blocks with gamma and beta away from 1 and 0, so that every weight matters.
  const body = initBody(shape, () => rng.next()).map((v, i) =>
    i % PARAMS_PER_BLOCK === 0 ? v : v.map((x) => x + (i % PARAMS_PER_BLOCK === 1 ? 0.3 : 0.2) * rng.normal()),
  );
  const all = syntheticImages('layers/images', 12);
  // Uneven classes: 2, 1 and 3 examples.
  const classes = [all.slice(0, 2), all.slice(2, 3), all.slice(3, 6)];
  const queries = all.slice(6);
  const inner = { alpha: 0.4, steps: 3 };
  const classNames = ['alpha', 'beta', 'gamma'];

  it('classifyFewShot predicts with batch norm frozen at the support statistics: what the export computes', () => {
    const { theta, head, support } = adaptFewShot(net, body, classes, inner);
    // Three steps: the blocks moved too (the first step from the zero head moves only the head).
    expect(theta.some((t, i) => t.some((v, j) => v !== body[i][j]))).toBe(true);
    const page = classifyFewShot(net, body, { classes, queries }, inner);
    const stats = supportStatistics(net, theta, support);
    expect(maxAbsDiff(predictFrozen(theta, head, stats, queries), page.probs[page.probs.length - 1])).toBeLessThan(1e-7);
    // On the support set itself, frozen statistics are the batch's own: the network's forward pass.
    const params = [...theta, head.W, head.b];
    expect(maxAbsDiff(predictFrozen(theta, head, stats, support), net.forward(params, support, 6, 3).p)).toBeLessThan(1e-5);
    // Each query's prediction stands alone: the same whether classified with the others or by itself.
    const alone = classifyFewShot(net, body, { classes, queries: [queries[2]] }, inner);
    expect(maxAbsDiff(alone.probs[alone.probs.length - 1], page.probs[page.probs.length - 1].subarray(6, 9))).toBeLessThan(1e-7);
  });

  it('loads in tfjs-layers (from memory and over http) and predicts what predictFrozen does', async () => {
    const { theta, head, support } = adaptFewShot(net, body, classes, inner);
    const stats = supportStatistics(net, theta, support);
    const before = tf.memory().numTensors;
    const exp = await exportLayersClassifier({ filters: 5, theta, head, stats, classNames });
    expect(tf.memory().numTensors).toBe(before);
    const expected = predictFrozen(theta, head, stats, queries);
    for (const model of [await loadFromMemory(exp), (await loadOverHttp(exp)).model]) {
      const got = predictLayers(model, concat(queries), queries.length);
      const diff = maxAbsDiff(got, expected);
      console.log(`random conv-4 (5 filters), ${queries.length} queries: max |tfjs-layers - predictFrozen| = ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-4);
      expect(argmaxes(got, 3)).toEqual(argmaxes(expected, 3));
      // The topology is the one tfjs-layers itself writes for these layers.
      expect(model.toJSON(null, false)).toEqual(exp.modelJson.modelTopology);
      model.dispose();
    }
    const { fetched } = await loadOverHttp(exp);
    expect(fetched).toEqual(['https://example.test/my-classes/model.json', `https://example.test/my-classes/${WEIGHTS_FILE}`]);
  });

  it('writes a complete model.json, weights in layer order, and the metadata', async () => {
    const { theta, head, support } = adaptFewShot(net, body, classes, inner);
    const stats = supportStatistics(net, theta, support);
    const exp = await exportLayersClassifier({ filters: 5, theta, head, stats, classNames });
    const { modelJson: m, weightsBin, metadata } = exp;
    expect(m.format).toBe('layers-model');
    expect(m.generatedBy).toContain(tf.version_core);
    expect(m.convertedBy).toBeNull();
    expect(m.weightsManifest).toHaveLength(1);
    expect(m.weightsManifest[0].paths).toEqual(['model.weights.bin']);
    const layers = m.modelTopology.config.layers;
    expect(layers.map((l) => l.class_name)).toEqual([
      'InputLayer',
      ...Array.from({ length: 4 }, () => ['ZeroPadding2D', 'Conv2D', 'BatchNormalization', 'Activation']).flat(),
      'Flatten',
      'Dense',
    ]);
    expect(layers[0].config.batch_input_shape).toEqual([null, 28, 28, 1]);
    expect(layers[2].config).toMatchObject({ use_bias: false, padding: 'valid', strides: [2, 2], kernel_size: [3, 3], filters: 5 });
    expect(layers[3].config).toMatchObject({ epsilon: 1e-5, axis: -1 });
    expect(layers[18].config).toMatchObject({ units: 3, activation: 'softmax', use_bias: true });
    const specs = m.weightsManifest[0].weights;
    expect(specs.map((s) => s.name)).toEqual([
      ...[1, 2, 3, 4].flatMap((l) =>
        ['conv/kernel', 'bn/gamma', 'bn/beta', 'bn/moving_mean', 'bn/moving_variance'].map((w) => `block${l}_${w}`),
      ),
      'head/kernel',
      'head/bias',
    ]);
    expect(specs[0].shape).toEqual([3, 3, 1, 5]);
    expect(specs[5].shape).toEqual([3, 3, 5, 5]);
    expect(specs[20].shape).toEqual([20, 3]);
    const floats = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
    expect(weightsBin.byteLength).toBe(4 * floats);
    // The head's kernel is W transposed: kernel[d][n] = W[n][d].
    const values = new Float32Array(weightsBin);
    const kernelAt = floats - 3 - 60;
    expect(values[kernelAt + 7 * 3 + 2]).toBe(head.W[2 * 20 + 7]);
    expect(Array.from(values.subarray(floats - 3))).toEqual(Array.from(head.b));
    expect(metadata).toMatchObject({
      packageName: 'maml-lab',
      tfjsVersion: tf.version_core,
      modelName: 'maml-lab-classifier',
      labels: classNames,
      imageSize: 28,
      channels: 1,
      architecture: { kind: 'conv4', filters: 5, way: 3 },
    });
    expect(metadata.batchNorm).toContain('support set');
    expect(metadata.preprocessing.steps.length).toBeGreaterThan(4);
    expect(metadata).not.toHaveProperty('timeStamp');
    // Deterministic without a time stamp; with one, it is written.
    const again = await exportLayersClassifier({ filters: 5, theta, head, stats, classNames });
    expect(JSON.stringify(again.modelJson)).toBe(JSON.stringify(m));
    expect(JSON.stringify(again.metadata)).toBe(JSON.stringify(metadata));
    expect(new Uint8Array(again.weightsBin)).toEqual(new Uint8Array(weightsBin));
    const stamped = await exportLayersClassifier({
      filters: 5,
      theta,
      head,
      stats,
      classNames,
      modelName: 'my glyphs',
      timeStamp: '2026-01-02T03:04:05.000Z',
    });
    expect(stamped.metadata).toMatchObject({ modelName: 'my glyphs', timeStamp: '2026-01-02T03:04:05.000Z' });
    expect(stamped.modelJson.modelTopology.config.name).toBe('my_glyphs');
  });

  it('refuses wrong class-name counts, sizes and non-finite values', async () => {
    const { theta, head, support } = adaptFewShot(net, body, classes, inner);
    const stats = supportStatistics(net, theta, support);
    const ok = { filters: 5, theta, head, stats, classNames };
    const before = tf.memory().numTensors;
    await expect(exportLayersClassifier({ ...ok, classNames: ['a', 'b'] })).rejects.toThrow(/2 class names for 3 outputs/);
    await expect(exportLayersClassifier({ ...ok, classNames: ['a', 'b', 'c', 'd'] })).rejects.toThrow(LayersExportError);
    await expect(exportLayersClassifier({ ...ok, filters: 6 })).rejects.toThrow(/filters/);
    const nan = theta.map((t, i) => (i === 4 ? t.map((v, j) => (j === 1 ? NaN : v)) : t));
    await expect(exportLayersClassifier({ ...ok, theta: nan })).rejects.toThrow(/theta 4 holds non-finite/);
    await expect(exportLayersClassifier({ ...ok, theta: theta.slice(0, 9) })).rejects.toThrow(/theta has 9 arrays/);
    await expect(exportLayersClassifier({ ...ok, head: { ...head, b: head.b.slice(0, 2) } })).rejects.toThrow(/head b/);
    await expect(exportLayersClassifier({ ...ok, head: { ...head, W: head.W.map(() => Infinity) } })).rejects.toThrow(/non-finite/);
    await expect(exportLayersClassifier({ ...ok, stats: stats.slice(1) })).rejects.toThrow(/3 blocks of statistics/);
    const negative = stats.map((s, l) => (l === 2 ? { ...s, variance: s.variance.map(() => -1) } : s));
    await expect(exportLayersClassifier({ ...ok, stats: negative })).rejects.toThrow(/block 3's variance/);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => predictFrozen(theta, head, stats, [new Float32Array(100)])).toThrow(/image 1 has 100 values/);
    expect(() => supportStatistics(new ConvNet({ ...shape, filters: 4 }, tfGemm), theta, support)).toThrow(/filters/);
  });
});

describe('the shipped Omniglot model, adapted on held-out characters and exported', () => {
  const { config, body } = shippedModel();
  const net = new ConvNet({ filters: config.filters, channels: 1, imageSize: 28 }, tfGemm);
  const ds = omniglot();
  const img = (a: Float32Array, i: number) => a.slice(i * OMNIGLOT_PIXELS, (i + 1) * OMNIGLOT_PIXELS);

  function episode(seed: string, way: number, shot: number, queries: number) {
    const b = sampleEpisodes(ds, 'test', { way, shot, queries, rotations: false }, 1, createRng(seed));
    return {
      classes: Array.from({ length: way }, (_, c) => Array.from({ length: shot }, (_, s) => img(b.support, c * shot + s))),
      queries: Array.from({ length: way * queries }, (_, q) => img(b.query, q)),
      truth: Array.from(b.queryLabels),
    };
  }

  it('tfjs-layers predicts what predictFrozen does (20-way 1-shot at the shipped step count, 5-way 5-shot with 3 steps)', async () => {
    for (const [seed, way, shot, steps] of [
      ['export/20', 20, 1, config.testSteps],
      ['export/5', 5, 5, 3],
    ] as const) {
      const e = episode(seed, way, shot, 5);
      const { theta, head, support } = adaptFewShot(net, body, e.classes, innerFor(config, way, steps));
      const stats = supportStatistics(net, theta, support);
      const exp = await exportLayersClassifier({
        filters: config.filters,
        theta,
        head,
        stats,
        classNames: e.classes.map((_, c) => `character ${c + 1}`),
      });
      const model = await loadFromMemory(exp);
      const got = predictLayers(model, concat(e.queries), e.queries.length);
      model.dispose();
      const expected = predictFrozen(theta, head, stats, e.queries);
      const diff = maxAbsDiff(got, expected);
      console.log(
        `shipped model, ${way}-way ${shot}-shot, ${steps} step(s), ${e.queries.length} queries: max |tfjs-layers - predictFrozen| = ${diff.toExponential(2)}`,
      );
      expect(diff).toBeLessThan(1e-4);
      expect(argmaxes(got, way)).toEqual(argmaxes(expected, way));
    }
  });

  it('frozen support statistics agree with normalising the query batch by its own statistics (the page before the export)', () => {
    const lines: string[] = [];
    let agreeAll = 0,
      totalAll = 0;
    for (const [way, shot, episodes] of [
      [5, 1, 20],
      [20, 1, 10],
      [5, 5, 10],
    ] as const) {
      let agree = 0,
        frozenRight = 0,
        batchRight = 0,
        total = 0;
      for (let k = 0; k < episodes; k++) {
        const e = episode(`agree/${way}/${shot}/${k}`, way, shot, 5);
        const inner = innerFor(config, way);
        const result = classifyFewShot(net, body, { classes: e.classes, queries: e.queries }, inner);
        const frozen = result.predicted.map((p) => p.label);
        // What the page did before: the adapted network on the query batch, normalised by the batch's own statistics.
        const { theta, head } = result.adapted;
        const page = argmaxes(net.forward([...theta, head.W, head.b], concat(e.queries), e.queries.length, way).p, way);
        e.truth.forEach((t, q) => {
          agree += Number(frozen[q] === page[q]);
          frozenRight += Number(frozen[q] === t);
          batchRight += Number(page[q] === t);
          total++;
        });
      }
      agreeAll += agree;
      totalAll += total;
      lines.push(
        `${way}-way ${shot}-shot (${episodes} episodes, ${total} queries): argmax agreement ${((100 * agree) / total).toFixed(1)}%, ` +
          `accuracy frozen ${((100 * frozenRight) / total).toFixed(1)}%, batch statistics ${((100 * batchRight) / total).toFixed(1)}%`,
      );
    }
    console.log(lines.join('\n'));
    expect(agreeAll / totalAll).toBeGreaterThan(0.7);
  });
});

// The parameter layout the export reads: the blocks, then the head.
it('exports only the blocks of a parameter list that still carries the head', async () => {
  const shape: ConvNetShape = { filters: 2, channels: 1, imageSize: 28 };
  const rng = createRng('layers/head-ignored');
  const body = initBody(shape, () => rng.next());
  const net = new ConvNet(shape, tfGemm);
  const images = syntheticImages('layers/few', 4);
  const { theta, head, support } = adaptFewShot(net, body, [images.slice(0, 2), images.slice(2)], { alpha: 0.5, steps: 1 });
  const withHead = [...theta, head.W, head.b];
  expect(withHead).toHaveLength(BODY_PARAMS + 2);
  const stats = supportStatistics(net, withHead, support);
  expect(stats).toEqual(supportStatistics(net, theta, support));
  const a = await exportLayersClassifier({ filters: 2, theta: withHead, head, stats, classNames: ['x', 'y'] });
  const b = await exportLayersClassifier({ filters: 2, theta, head, stats, classNames: ['x', 'y'] });
  expect(new Uint8Array(a.weightsBin)).toEqual(new Uint8Array(b.weightsBin));
});
