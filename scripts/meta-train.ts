/**
 * Meta-trains a model from the command line and writes a checkpoint (tfjs weight format).
 *   npm run meta-train -- --experiment sinusoid [--iterations 70000] [--out public/models/sinusoid]
 *   npm run meta-train -- --experiment omniglot [--iterations 6000] [--out public/models/omniglot]
 *       [--algorithm maml2|maml1|reptile] [--filters 32] [--way 5] [--shot 1] [--queries 5]
 *       [--meta-batch 32] [--alpha 0.4] [--steps 1] [--test-steps 3] [--meta-lr 0.001] [--seed 1]
 *       [--shift 2]  (random shifts of training drawings by up to 2 pixels)
 *       [--affine 1]  (random rotation up to 15°, shear 0.15 and scale ±15% per training class)
 *       [--within 0.5]  (this share of each meta-batch's episodes drawn within one alphabet)
 *       [--strokes 1]  (half of the training drawings drawn again from their pen strokes: pen width, strokes moved and bent)
 *       [--threads N]  (N - 1 more processes each compute a share of every meta-batch; the same numbers as one)
 *   npm run meta-train -- --experiment omniglot --algorithm pretrained [--iterations 3000]
 *       (the pretrained baseline: one 712-way classifier over the meta-training classes;
 *        written to public/models/omniglot-pretrained)
 *   npm run meta-train -- --experiment rl --task navigation|velocity --method maml|pretrained
 *       [--iterations 150] [--meta-batch 10] [--epochs 2] [--meta-lr 0.003] [--alpha 0.1] [--clip 0.2] [--seed 1]
 *       [--out public/models/rl/TASK/METHOD]
 * Seeded and resumable: each meta-batch is drawn from (seed, iteration), and the checkpoint
 * holds Adam's state, so a stopped run continues exactly where it left off.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '../src/maml/tf';
import { decodeCheckpoint, encodeCheckpoint } from '../src/maml/checkpoint';
import { PAPER_SINUSOID_CONFIG, batchTensors, sinusoidObjective, sizesOf, type SinusoidConfig } from '../src/maml/sinusoid/experiment';
import { MetaLearner } from '../src/maml/algorithm/metaLearner';
import { initMlpValues } from '../src/maml/networks/mlp';
import { createRng } from '../src/maml/random';
import { sampleSinusoidBatch } from '../src/maml/sinusoid/tasks';
import type { Algorithm } from '../src/maml/algorithm/metaGradient';
import { useBackend } from './node-backend';
import { metaTrainOmniglot, parseAlgorithm } from './lib/metaTrainOmniglot';
import { PRETRAIN_DEFAULTS, pretrainOmniglot } from './lib/pretrainOmniglot';
import { metaTrainRl, rlModelDir } from './lib/metaTrainRl';
import { writeCheckpoint } from './load-checkpoint';

const { values: args } = parseArgs({
  options: {
    experiment: { type: 'string', default: 'sinusoid' },
    iterations: { type: 'string' },
    algorithm: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    'save-every': { type: 'string' },
    'log-every': { type: 'string' },
    fresh: { type: 'boolean', default: false },
    // Omniglot only
    filters: { type: 'string' },
    way: { type: 'string' },
    shot: { type: 'string' },
    queries: { type: 'string' },
    'meta-batch': { type: 'string' },
    alpha: { type: 'string' },
    steps: { type: 'string' },
    'test-steps': { type: 'string' },
    'meta-lr': { type: 'string' },
    shift: { type: 'string' },
    affine: { type: 'string' },
    within: { type: 'string' },
    strokes: { type: 'string' },
    'eval-every': { type: 'string', default: '250' },
    threads: { type: 'string', default: '1' },
    'eval-episodes': { type: 'string', default: '200' },
    // RL only
    task: { type: 'string', default: 'navigation' },
    method: { type: 'string', default: 'maml' },
    epochs: { type: 'string' },
    clip: { type: 'string' },
  },
});
if (args.experiment === 'rl') {
  await useBackend(args.backend);
  const task = args.task as 'navigation' | 'velocity';
  const method = args.method as 'maml' | 'pretrained';
  if (task !== 'navigation' && task !== 'velocity') throw new Error(`--task must be navigation or velocity, not ${task}`);
  if (method !== 'maml' && method !== 'pretrained') throw new Error(`--method must be maml or pretrained, not ${method}`);
  const num = (k: keyof typeof args) => (args[k] === undefined ? undefined : Number(args[k]));
  const overrides = Object.fromEntries(
    Object.entries({
      seed: num('seed'),
      metaBatch: num('meta-batch'),
      metaLr: num('meta-lr'),
      alpha: num('alpha'),
      epochs: num('epochs'),
      clip: num('clip'),
    }).filter(([, v]) => v !== undefined),
  );
  await metaTrainRl({
    family: task,
    method,
    iterations: Number(args.iterations ?? 150),
    out: args.out ?? rlModelDir(task, method),
    fresh: !!args.fresh,
    saveEvery: Number(args['save-every'] ?? 10),
    backend: args.backend!,
    overrides,
  });
  process.exit(0);
}
if (args.experiment === 'omniglot' && args.algorithm === 'pretrained') {
  await useBackend(args.backend);
  await pretrainOmniglot({
    ...PRETRAIN_DEFAULTS,
    out: args.out ?? 'public/models/omniglot-pretrained',
    iterations: Number(args.iterations ?? PRETRAIN_DEFAULTS.iterations),
    filters: Number(args.filters ?? 32),
    seed: Number(args.seed ?? 1),
    fresh: !!args.fresh,
    ...(args['log-every'] ? { logEvery: Number(args['log-every']) } : {}),
    ...(args.shift ? { shift: Number(args.shift) } : {}),
  });
  process.exit(0);
}
if (args.experiment === 'omniglot') {
  await useBackend(args.backend);
  const num = (k: keyof typeof args) => (args[k] === undefined ? undefined : Number(args[k]));
  const overrides = Object.fromEntries(
    Object.entries({
      algorithm: parseAlgorithm(args.algorithm),
      seed: num('seed'),
      filters: num('filters'),
      way: num('way'),
      shot: num('shot'),
      queries: num('queries'),
      metaBatch: num('meta-batch'),
      alpha: num('alpha'),
      trainSteps: num('steps'),
      testSteps: num('test-steps'),
      metaLr: num('meta-lr'),
      shift: num('shift'),
      affine: num('affine'),
      within: num('within'),
      strokes: num('strokes'),
    }).filter(([, v]) => v !== undefined),
  );
  await metaTrainOmniglot({
    iterations: Number(args.iterations ?? 6000),
    out: args.out ?? 'public/models/omniglot',
    fresh: !!args.fresh,
    saveEvery: Number(args['save-every'] ?? 100),
    logEvery: Number(args['log-every'] ?? 25),
    evalEvery: Number(args['eval-every']),
    evalEpisodes: Number(args['eval-episodes']),
    backend: args.backend!,
    threads: Number(args.threads),
    overrides,
  });
  process.exit(0);
}
if (args.experiment !== 'sinusoid') {
  console.error(`Unknown experiment ${args.experiment}: this build meta-trains "sinusoid", "omniglot" and "rl".`);
  process.exit(2);
}
args.iterations ??= '70000';
args.algorithm ??= 'maml2';
args.seed ??= String(PAPER_SINUSOID_CONFIG.seed);
args.out ??= 'public/models/sinusoid';
args['save-every'] ??= '2000';
args['log-every'] ??= '500';
const total = Number(args.iterations);
const backend = await useBackend(args.backend);
const config: SinusoidConfig = { ...PAPER_SINUSOID_CONFIG, algorithm: args.algorithm as Algorithm, seed: Number(args.seed) };
const objective = sinusoidObjective(config.hidden);
const init = initMlpValues(sizesOf(config.hidden), createRng(`${config.seed}/init`));
const learners = {
  maml: new MetaLearner(objective, init, {
    algorithm: config.algorithm,
    inner: { alpha: config.alpha, steps: config.trainSteps },
    metaLr: config.metaLr,
  }),
  pretrained: new MetaLearner(objective, init, {
    algorithm: 'pretrained',
    inner: { alpha: config.alpha, steps: config.trainSteps },
    metaLr: config.metaLr,
  }),
};
mkdirSync(args.out!, { recursive: true });
const manifestPath = join(args.out!, 'manifest.json');
const weightsPath = join(args.out!, 'weights.bin');
const logPath = join(args.out!, 'train-log.jsonl');
let seconds = 0;
if (!args.fresh && existsSync(manifestPath)) {
  const buf = readFileSync(weightsPath);
  const ck = decodeCheckpoint(
    JSON.parse(readFileSync(manifestPath, 'utf8')),
    buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
  );
  await learners.maml.restore(ck.learners.maml);
  await learners.pretrained.restore(ck.learners.pretrained);
  seconds = ck.manifest.trainedOn?.seconds ?? 0;
  console.log(`Resuming from iteration ${learners.maml.iteration} (${manifestPath})`);
} else if (existsSync(logPath)) {
  writeFileSync(logPath, '');
}

async function save() {
  const { manifest, weights } = await encodeCheckpoint({
    experiment: 'sinusoid',
    architecture: { kind: 'mlp', sizes: sizesOf(config.hidden), activation: 'relu' },
    config,
    trainedOn: { backend: `node-${backend}`, seconds: Math.round(seconds), date: new Date().toISOString() },
    learners: {
      maml: { ...(await learners.maml.state()), algorithm: config.algorithm },
      pretrained: { ...(await learners.pretrained.state()), algorithm: 'pretrained' },
    },
  });
  writeCheckpoint(args.out!, { manifest, weights });
}

const saveEvery = Number(args['save-every']);
const logEvery = Number(args['log-every']);
let window = { pre: 0, post: 0, base: 0, n: 0 };
const t0 = performance.now();
let last = t0;
while (learners.maml.iteration < total) {
  const i = learners.maml.iteration;
  const batch = batchTensors(sampleSinusoidBatch(createRng(`${config.seed}/batch/${i}`), config.metaBatch, config.shots));
  const m = learners.maml.step(batch);
  const b = learners.pretrained.step(batch);
  const [pre, post, base] = await Promise.all([m.preLoss.data(), m.postLoss.data(), b.preLoss.data()]);
  tf.dispose([m.preLoss, m.postLoss, b.preLoss, b.postLoss, Object.values(batch)]);
  window = { pre: window.pre + pre[0], post: window.post + post[0], base: window.base + base[0], n: window.n + 1 };
  const it = i + 1;
  if (it % logEvery === 0 || it === total) {
    const now = performance.now();
    seconds += (now - last) / 1000;
    const rate = window.n / ((now - last) / 1000);
    last = now;
    const rec = {
      iteration: it,
      preLoss: window.pre / window.n,
      postLoss: window.post / window.n,
      pretrainedLoss: window.base / window.n,
      itersPerSec: +rate.toFixed(1),
    };
    appendFileSync(logPath, JSON.stringify(rec) + '\n');
    console.log(
      `iteration ${it}/${total}  query MSE before ${rec.preLoss.toFixed(3)}  after ${rec.postLoss.toFixed(3)}  pretrained ${rec.pretrainedLoss.toFixed(3)}  ${rate.toFixed(1)} it/s`,
    );
    window = { pre: 0, post: 0, base: 0, n: 0 };
  }
  if (it % saveEvery === 0 || it === total) await save();
}
console.log(`Checkpoint written to ${args.out} after ${Math.round(seconds)} s of training.`);
