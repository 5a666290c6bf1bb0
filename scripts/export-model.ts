/**
 * Writes a model in a format other tools read:
 *   npm run export-model -- --lab sinusoid|omniglot|rl --format tfjs|safetensors|layers --out DIR
 *                           [--checkpoint DIR] [--method maml|pretrained] [--task navigation|velocity]
 *                           [--support DIR] [--steps K]
 * The model is the shipped one under public/models/ unless --checkpoint names another:
 * sinusoid: public/models/sinusoid (both learners in one checkpoint; --method picks one
 * for safetensors); omniglot: public/models/omniglot, or omniglot-pretrained with
 * --method pretrained; rl: public/models/rl/<task>/<method> (default navigation, maml).
 *
 *   tfjs         DIR/manifest.json + DIR/weights.bin, this project's checkpoint (every
 *                learner, Adam's state included), re-encoded after a full check
 *   safetensors  DIR/model.safetensors, one learner's parameters under PyTorch names
 *                (docs/PYTORCH.md), the settings the page adapts with in its metadata
 *   layers       (omniglot, with --support DIR [--steps K]) the classifier adapted to the classes
 *                of DIR (one sub-folder per class, as npm run classify reads): DIR/model.json +
 *                model.weights.bin for tf.loadLayersModel and metadata.json (class names,
 *                input, preprocessing), as the page's Export classifier writes
 * Exit status 2, with the reason on standard error, for anything it cannot do.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeCheckpoint, type Checkpoint } from '../src/maml/checkpoint';
import { encodeSafetensors, type NamedTensor } from '../src/maml/io/safetensors';
import { conv4Metadata, conv4ToTorch, mlpToTorch, PRODUCER, TORCH_EXPORT_FORMAT, TORCH_EXPORT_VERSION } from '../src/maml/io/conv4Torch';
import type { OmniglotConfig } from '../src/maml/omniglot/config';
import type { SinusoidConfig } from '../src/maml/sinusoid/config';
import type { RlConfig } from '../src/maml/rl/rlConfig';
import { loadCheckpoint } from './load-checkpoint';
import { readSupport } from './lib/imageFolders';
import { exportLayersClassifier } from '../src/maml/io/layersClassifier';
import { classifyFewShot } from '../src/maml/omniglot/fewShotClassify';
import { innerFor } from '../src/maml/omniglot/config';
import { ConvMetaLearner } from '../src/maml/omniglot/convLearner';
import { defaultGemm } from '../src/maml/networks/gemmSimd';
import { useBackend } from './node-backend';

const LABS = ['sinusoid', 'omniglot', 'rl'] as const;
const FORMATS = ['tfjs', 'safetensors', 'layers'] as const;
const METHODS = ['maml', 'pretrained'] as const;
const TASKS = ['navigation', 'velocity'] as const;
type Lab = (typeof LABS)[number];

function fail(message: string): never {
  console.error(`export-model: ${message}`);
  process.exit(2);
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T {
  if (value === undefined) fail(`give --${name} ${allowed.join('|')}`);
  if (!(allowed as readonly string[]).includes(value)) fail(`--${name} ${value} is not one of ${allowed.join(', ')}`);
  return value as T;
}

let args: Record<string, string | undefined>;
try {
  args = parseArgs({
    options: {
      lab: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      checkpoint: { type: 'string' },
      method: { type: 'string' },
      task: { type: 'string' },
      support: { type: 'string' },
      steps: { type: 'string' },
    },
  }).values;
} catch (e) {
  fail((e as Error).message);
}

const lab: Lab = oneOf('lab', args.lab, LABS);
const format = oneOf('format', args.format, FORMATS);
if (format === 'layers' && lab !== 'omniglot') fail('--format layers is the adapted Omniglot classifier: use it with --lab omniglot');
if (format === 'layers' && !args.support)
  fail('--format layers adapts to your classes first: give --support DIR (one sub-folder per class)');
if (format !== 'layers' && (args.support || args.steps)) fail('--support and --steps are for --format layers');
if (!args.out) fail('give --out DIR, the folder to write to');
const method = args.method === undefined ? undefined : oneOf('method', args.method, METHODS);
if (args.task !== undefined && lab !== 'rl') fail('--task is for --lab rl only');
const task = lab === 'rl' ? oneOf('task', args.task ?? 'navigation', TASKS) : undefined;

const defaultCheckpoint: Record<Lab, string> = {
  sinusoid: 'public/models/sinusoid',
  omniglot: method === 'pretrained' ? 'public/models/omniglot-pretrained' : 'public/models/omniglot',
  rl: `public/models/rl/${task}/${method ?? 'maml'}`,
};
const source = args.checkpoint ?? defaultCheckpoint[lab];

let ck: Checkpoint;
try {
  ck = loadCheckpoint(source);
} catch (e) {
  fail(`${source}: ${(e as Error).message}`);
}
if (ck.manifest.experiment !== lab) fail(`${source} holds a ${ck.manifest.experiment} model, not ${lab}`);

const out = args.out;
mkdirSync(out, { recursive: true });

if (format === 'layers') {
  await useBackend('wasm');
  const config = ck.manifest.config as OmniglotConfig;
  const key = method ?? (ck.learners.maml ? 'maml' : Object.keys(ck.learners)[0]);
  const classes = readSupport(args.support!, (m) => console.error(`export-model: ${m}`), fail);
  const steps = args.steps === undefined ? config.testSteps : Number(args.steps);
  if (!Number.isInteger(steps) || steps < 0 || steps > 20) fail('--steps must be a whole number from 0 to 20');
  const learner = new ConvMetaLearner(config, defaultGemm(), ck.learners[key].theta);
  const images = classes.map((c) => c.images.map((i) => i.pixels));
  const { adapted } = classifyFewShot(
    learner.net,
    learner.body,
    { classes: images, queries: [images[0][0]] },
    innerFor(config, classes.length, steps),
  );
  const names = classes.map((c) => c.name);
  const { modelJson, weightsBin, metadata } = await exportLayersClassifier({ filters: config.filters, ...adapted, classNames: names });
  writeFileSync(join(out, 'model.json'), JSON.stringify(modelJson));
  writeFileSync(join(out, modelJson.weightsManifest[0].paths[0]), new Uint8Array(weightsBin));
  writeFileSync(join(out, 'metadata.json'), JSON.stringify(metadata, null, 1));
  console.log(
    `export-model: wrote ${join(out, 'model.json')}, its weights and metadata.json: ${names.length} classes (${names.join(', ')}), ${steps} step(s) from ${source}`,
  );
} else if (format === 'tfjs') {
  await useBackend('cpu');
  const { format: _f, version: _v, weightsManifest: _w, learners: info, ...rest } = ck.manifest;
  const learners = Object.fromEntries(Object.entries(ck.learners).map(([key, l]) => [key, { ...l, algorithm: info[key].algorithm }]));
  const { manifest, weights } = await encodeCheckpoint({ ...rest, learners });
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 1));
  writeFileSync(join(out, 'weights.bin'), new Uint8Array(weights));
  console.log(
    `export-model: wrote ${join(out, 'manifest.json')} and ${join(out, 'weights.bin')} (${weights.byteLength} bytes) from ${source}`,
  );
} else {
  const available = Object.keys(ck.learners);
  const key = method ?? (available.includes('maml') ? 'maml' : available[0]);
  if (!ck.learners[key]) fail(`${source} has no ${key} learner (it has ${available.join(', ')})`);
  const learner = ck.learners[key];
  const record = {
    experiment: lab,
    learner: key,
    algorithm: ck.manifest.learners[key].algorithm,
    iteration: String(learner.iteration),
  };
  const arch = ck.manifest.architecture;
  let tensors: NamedTensor[];
  let metadata: Record<string, string>;
  if (arch.kind === 'conv4') {
    const c = ck.manifest.config as OmniglotConfig;
    tensors = conv4ToTorch(learner.theta, arch.filters);
    metadata = conv4Metadata(arch.filters, { alpha: c.alpha, way: c.way, trainSteps: c.trainSteps, testSteps: c.testSteps }, record);
  } else {
    const policy = arch.kind === 'gaussianMlp';
    tensors = mlpToTorch(learner.theta, arch.sizes, policy);
    const settings: Record<string, string> = {};
    if (policy) {
      const c = ck.manifest.config as RlConfig;
      Object.assign(settings, { alpha: String(c.alpha), family: c.family });
    } else {
      const c = ck.manifest.config as SinusoidConfig;
      Object.assign(settings, { alpha: String(c.alpha), trainSteps: String(c.trainSteps), testSteps: String(c.testSteps) });
    }
    metadata = {
      ...record,
      ...settings,
      format: TORCH_EXPORT_FORMAT,
      version: TORCH_EXPORT_VERSION,
      producer: PRODUCER,
      architecture: arch.kind,
      sizes: arch.sizes.join(','),
      activation: arch.activation,
    };
  }
  const bytes = encodeSafetensors(tensors, metadata);
  const path = join(out, 'model.safetensors');
  writeFileSync(path, bytes);
  console.log(`export-model: wrote ${path} (${bytes.length} bytes): the ${key} learner of ${source}, ${tensors.length} tensors`);
}
