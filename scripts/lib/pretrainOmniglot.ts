/**
 * The pretrained baseline for Omniglot: the same conv-4 body trained the ordinary way, as one
 * classifier over every meta-training class at once (178 characters x 4 rotations = 712
 * classes, a learned 712-way head, Adam on mini-batches of drawings, random shifts as in
 * meta-training). For few-shot use its head is dropped and a zero head is adapted from the
 * support set exactly as for the meta-learned body; the inner learning rate is the one of a
 * grid that does best on episodes of the meta-training alphabets (never the held-out ones).
 *
 *   npm run meta-train -- --experiment omniglot --algorithm pretrained [--iterations 3000]
 *       [--out public/models/omniglot-pretrained] [--filters 32] [--seed 1]
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeCheckpoint } from '../../src/maml/checkpoint';
import { episodeAccuracy } from '../../src/maml/omniglot/experiment';
import { DEFAULT_OMNIGLOT_CONFIG, type OmniglotConfig } from '../../src/maml/omniglot/config';
import { episodeTask } from '../../src/maml/omniglot/convMaml';
import { BODY_PARAMS, ConvNet, headShapes, initBody } from '../../src/maml/networks/convNet';
import { convShape } from '../../src/maml/omniglot/convLearner';
import { defaultGemm } from '../../src/maml/networks/gemmSimd';
import { Adam } from '../../src/maml/optim/adam';
import { writeImage, OMNIGLOT_PIXELS, type OmniglotDataset } from '../../src/maml/omniglot/pack';
import { loadCheckpoint, writeCheckpoint } from '../load-checkpoint';
import { createRng } from '../../src/maml/random';
import { sampleEpisodes } from '../../src/maml/omniglot/tasks';
import { loadOmniglot } from './omniglotData';

export interface PretrainArgs {
  out: string;
  iterations: number;
  filters: number;
  seed: number;
  batch: number;
  lr: number;
  shift: number;
  logEvery: number;
}

export const PRETRAIN_DEFAULTS = { iterations: 3000, batch: 128, lr: 0.002, shift: 2, logEvery: 100 };

/** Inner learning rates tried for the pretrained body (5-way, one step and several). */
export const ALPHA_GRID = [0.0125, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2];

export async function pretrainOmniglot(a: PretrainArgs & { fresh?: boolean }) {
  const ds = loadOmniglot();
  mkdirSync(a.out, { recursive: true });
  const logPath = join(a.out, 'train-log.jsonl');
  // A finished run at this path is not trained again: only its inner learning rate is chosen anew.
  if (!a.fresh && existsSync(join(a.out, 'manifest.json'))) {
    const ck = loadCheckpoint(a.out);
    const done = ck.learners.pretrained;
    if (done && done.iteration >= a.iterations) {
      console.log(`${a.out} holds a finished pretraining run (${done.iteration} steps): choosing its inner learning rate again`);
      const kept = readFileSync(logPath, 'utf8')
        .split('\n')
        .filter((l) => l && JSON.parse(l).event !== 'alpha');
      writeFileSync(logPath, kept.map((l) => l + '\n').join(''));
      const net = new ConvNet(convShape(a.filters), defaultGemm());
      const trainedOn = ck.manifest.trainedOn!;
      await choseAlphaAndSave(a, ds, net, done.theta, trainedOn.seconds, logPath);
      return;
    }
  }
  const train = ds.classes.train;
  const way = train.length * 4; // every rotation is a class of its own, as in meta-training
  const shape = convShape(a.filters);
  const net = new ConvNet(shape, defaultGemm());
  const rng = createRng(`${a.seed}/omniglot-pretrained/init`);
  const body = initBody(shape, () => rng.next());
  const [whShape, bhShape] = headShapes(shape, way);
  // A small random head (a zero head would give every class the same gradient signal only through the bias).
  const scale = Math.sqrt(1 / whShape[1]);
  const head = [Float32Array.from({ length: whShape[0] * whShape[1] }, () => (2 * rng.next() - 1) * scale), new Float32Array(bhShape[0])];
  const params = [...body, ...head];
  const adam = new Adam(a.lr);
  writeFileSync(
    logPath,
    JSON.stringify({
      iteration: 0,
      event: 'settings',
      changed: { pretraining: { classes: way, batch: a.batch, lr: a.lr, shift: a.shift, filters: a.filters, seed: a.seed } },
    }) + '\n',
  );
  console.log(
    `Pretraining conv-4 (${a.filters} filters) as a ${way}-way classifier: ${a.iterations} steps of ${a.batch} drawings, Adam ${a.lr}`,
  );

  const x = new Float32Array(a.batch * OMNIGLOT_PIXELS);
  const labels = new Int32Array(a.batch);
  let seconds = 0;
  let last = performance.now();
  let w = { loss: 0, acc: 0, n: 0 };
  for (let it = 1; it <= a.iterations; it++) {
    const r = createRng(`${a.seed}/omniglot-pretrained/${it}`);
    x.fill(0);
    for (let b = 0; b < a.batch; b++) {
      const c = Math.floor(r.next() * train.length);
      const rot = Math.floor(r.next() * 4);
      const image = train[c].first + Math.floor(r.next() * train[c].count);
      const sx = Math.round((2 * r.next() - 1) * a.shift);
      const sy = Math.round((2 * r.next() - 1) * a.shift);
      writeImage(ds, image, rot, x, b * OMNIGLOT_PIXELS, sx, sy);
      labels[b] = c * 4 + rot;
    }
    const cache = net.forward(params, x, a.batch, way);
    const back = net.backward(params, cache, labels);
    adam.step(params, back.grads as Float32Array[]);
    w = { loss: w.loss + back.loss, acc: w.acc + back.correct / a.batch, n: w.n + 1 };
    if (it % a.logEvery === 0 || it === a.iterations) {
      const now = performance.now();
      seconds += (now - last) / 1000;
      last = now;
      const rec = { iteration: it, loss: w.loss / w.n, accuracy: w.acc / w.n, seconds: Math.round(seconds) };
      appendFileSync(logPath, JSON.stringify(rec) + '\n');
      console.log(
        `step ${it}/${a.iterations}  loss ${rec.loss.toFixed(3)}  accuracy ${(100 * rec.accuracy).toFixed(1)}%  ${Math.round(seconds)} s`,
      );
      w = { loss: 0, acc: 0, n: 0 };
    }
  }

  await choseAlphaAndSave(a, ds, net, params.slice(0, BODY_PARAMS) as Float32Array[], seconds, logPath);
}

/** The inner learning rate: the best of a grid on 5-way 1-shot episodes of the training alphabets; then the checkpoint. */
async function choseAlphaAndSave(
  a: PretrainArgs,
  ds: OmniglotDataset,
  net: ConvNet,
  finalBody: Float32Array[],
  seconds: number,
  logPath: string,
) {
  const validation = (alpha: number, steps: number) => {
    const vr = createRng(`${a.seed}/omniglot-pretrained/validation`);
    let acc = 0;
    const episodes = 100;
    for (let e = 0; e < episodes; e++) {
      const batch = sampleEpisodes(ds, 'train', { way: 5, shot: 1, queries: 5, rotations: true }, 1, vr);
      acc += episodeAccuracy(net, finalBody, episodeTask(batch, 0), { alpha, steps });
    }
    return acc / episodes;
  };
  const testSteps = DEFAULT_OMNIGLOT_CONFIG.testSteps;
  let best = { alpha: ALPHA_GRID[0], accuracy: -1 };
  for (const alpha of ALPHA_GRID) {
    const accuracy = validation(alpha, testSteps);
    console.log(
      `  alpha ${alpha}: 5-way 1-shot accuracy on training-alphabet episodes after ${testSteps} steps ${(100 * accuracy).toFixed(1)}%`,
    );
    appendFileSync(
      logPath,
      JSON.stringify({ iteration: a.iterations, event: 'alpha', alpha, steps: testSteps, trainAlphabets5way1shot: accuracy }) + '\n',
    );
    if (accuracy > best.accuracy) best = { alpha, accuracy };
  }
  console.log(`Chosen inner learning rate ${best.alpha}`);

  // Stored as an Omniglot model whose adaptation settings are the chosen ones.
  const config: OmniglotConfig = {
    ...DEFAULT_OMNIGLOT_CONFIG,
    way: 5,
    alpha: best.alpha,
    filters: a.filters,
    seed: a.seed,
    shift: a.shift,
  };
  const { manifest, weights } = await encodeCheckpoint({
    experiment: 'omniglot',
    architecture: { kind: 'conv4', filters: a.filters, channels: 1, imageSize: 28, head: 'zero' },
    config,
    trainedOn: { backend: 'node-wasm', seconds: Math.round(seconds), date: new Date().toISOString() },
    learners: { pretrained: { theta: finalBody, iteration: a.iterations, algorithm: 'pretrained' } },
  });
  writeCheckpoint(a.out, { manifest, weights });
  console.log(`Checkpoint written to ${a.out} after ${Math.round(seconds)} s of training.`);
}
