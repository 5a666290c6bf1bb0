/**
 * Classifies query images with classes taught by a few examples each, from the
 * command line, with the page's preprocessing and the shipped meta-trained model:
 *   npm run classify -- --support DIR --query DIR [--steps K] [--checkpoint public/models/omniglot]
 * --checkpoint also takes a conv-4 model under PyTorch names, FILE.safetensors
 * (docs/PYTORCH.md; settings it lacks come from the shipped model's manifest).
 * DIR for --support holds one sub-folder per class (its name is the class) with 1 to 5
 * PNG or JPEG images; --query holds the images to classify. Prints CSV to standard
 * output: query file, predicted class, probability. Problems with single files go to
 * standard error, naming the file and the reason; the other files are still used.
 */
import { predictionsCsv } from '../src/classify/predictionsCsv';
import { parseArgs } from 'node:util';
import { innerFor, type OmniglotConfig } from '../src/maml/omniglot/config';
import { classifyFewShot } from '../src/maml/omniglot/fewShotClassify';
import { ConvMetaLearner } from '../src/maml/omniglot/convLearner';
import { defaultGemm } from '../src/maml/networks/gemmSimd';
import { loadCheckpoint, loadTorchConv4 } from './load-checkpoint';
import { readImages, readSupport, requireFolder } from './lib/imageFolders';
import { useBackend } from './node-backend';

const { values: args } = parseArgs({
  options: {
    support: { type: 'string' },
    query: { type: 'string' },
    steps: { type: 'string' },
    checkpoint: { type: 'string', default: 'public/models/omniglot' },
  },
});

function fail(message: string): never {
  console.error(`classify: ${message}`);
  process.exit(2);
}

const warn = (message: string) => console.error(`classify: ${message}`);
if (!args.support || !args.query) fail('give --support DIR (one sub-folder per class) and --query DIR');
requireFolder(args.query, fail);
const classes = readSupport(args.support, warn, fail);
const queries = readImages(args.query, warn);
if (!queries.length) fail(`${args.query} holds no usable query images`);

/** The meta-learned blocks and their settings: a checkpoint folder, or a PyTorch-named .safetensors file. */
function loadModel(path: string): { config: OmniglotConfig; theta: Float32Array[] } {
  if (/\.safetensors$/i.test(path)) {
    try {
      return loadTorchConv4(path);
    } catch (e) {
      fail(`${path}: ${(e as Error).message}`);
    }
  }
  const ck = loadCheckpoint(path);
  if (ck.manifest.experiment !== 'omniglot') fail(`${path} is not an Omniglot checkpoint`);
  return { config: ck.manifest.config as OmniglotConfig, theta: ck.learners.maml.theta };
}

await useBackend('wasm');
const model = loadModel(args.checkpoint!);
const config = model.config;
const steps = args.steps === undefined ? config.testSteps : Number(args.steps);
if (!Number.isInteger(steps) || steps < 0 || steps > 20) fail('--steps must be a whole number from 0 to 20');
const learner = new ConvMetaLearner(config, defaultGemm(), model.theta);
const result = classifyFewShot(
  learner.net,
  learner.body,
  { classes: classes.map((c) => c.images.map((i) => i.pixels)), queries: queries.map((q) => q.pixels) },
  innerFor(config, classes.length, steps),
);
process.stdout.write(
  predictionsCsv(
    queries.map((q, i) => ({
      file: q.name,
      predicted: classes[result.predicted[i].label].name,
      probability: result.predicted[i].probability,
    })),
  ),
);
