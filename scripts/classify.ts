/**
 * Classifies query images with classes taught by a few examples each, from the
 * command line, with the page's preprocessing and the shipped meta-trained model:
 *   npm run classify -- --support DIR --query DIR [--steps K] [--checkpoint public/models/omniglot]
 * DIR for --support holds one sub-folder per class (its name is the class) with 1 to 5
 * PNG or JPEG images; --query holds the images to classify. Prints CSV to standard
 * output: query file, predicted class, probability. Problems with single files go to
 * standard error, naming the file and the reason; the other files are still used.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { predictionsCsv } from '../src/classify/predictionsCsv';
import { parseArgs } from 'node:util';
import { preprocessRgba } from '../src/maml/omniglot/preprocess';
import { innerFor, type OmniglotConfig } from '../src/maml/omniglot/config';
import { classifyFewShot, FEW_SHOT_LIMITS } from '../src/maml/omniglot/fewShotClassify';
import { ConvMetaLearner } from '../src/maml/omniglot/convLearner';
import { tfGemm } from '../src/maml/networks/gemm';
import { loadCheckpoint } from './load-checkpoint';
import { decodeImage } from './lib/decodeImage';
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

const IMAGE = /\.(png|jpe?g)$/i;

/** Preprocessed images of a folder; unreadable ones are reported and skipped. */
function readImages(dir: string): { name: string; pixels: Float32Array }[] {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    if (!IMAGE.test(name)) {
      console.error(`classify: ${path}: skipped, not a .png, .jpg or .jpeg file`);
      continue;
    }
    try {
      const img = decodeImage(path, new Uint8Array(readFileSync(path)));
      out.push({ name, pixels: preprocessRgba(img.data, img.width, img.height).pixels });
    } catch (e) {
      console.error(`classify: ${(e as Error).message.startsWith(path) ? '' : `${path}: `}${(e as Error).message}`);
    }
  }
  return out;
}

if (!args.support || !args.query) fail('give --support DIR (one sub-folder per class) and --query DIR');
for (const d of [args.support, args.query]) {
  try {
    if (!statSync(d).isDirectory()) fail(`${d} is not a folder`);
  } catch {
    fail(`${d} does not exist`);
  }
}
const classDirs = readdirSync(args.support)
  .filter((n) => statSync(join(args.support!, n)).isDirectory())
  .sort();
if (classDirs.length < 2) fail(`${args.support} needs at least 2 class sub-folders, it has ${classDirs.length}`);
if (classDirs.length > FEW_SHOT_LIMITS.classes.max)
  fail(
    `${args.support} has ${classDirs.length} classes; the model serves ${FEW_SHOT_LIMITS.classes.min} to ${FEW_SHOT_LIMITS.classes.max}`,
  );
const classes = classDirs.map((c) => ({ name: c, images: readImages(join(args.support!, c)) }));
for (const c of classes) {
  if (c.images.length === 0) fail(`class "${c.name}" has no usable examples`);
  if (c.images.length > FEW_SHOT_LIMITS.examples.max)
    fail(
      `class "${c.name}" has ${c.images.length} examples; the model takes ${FEW_SHOT_LIMITS.examples.min} to ${FEW_SHOT_LIMITS.examples.max}`,
    );
}
const queries = readImages(args.query);
if (!queries.length) fail(`${args.query} holds no usable query images`);

await useBackend('wasm');
const ck = loadCheckpoint(args.checkpoint!);
if (ck.manifest.experiment !== 'omniglot') fail(`${args.checkpoint} is not an Omniglot checkpoint`);
const config = ck.manifest.config as OmniglotConfig;
const steps = args.steps === undefined ? config.testSteps : Number(args.steps);
if (!Number.isInteger(steps) || steps < 0 || steps > 20) fail('--steps must be a whole number from 0 to 20');
const learner = new ConvMetaLearner(config, tfGemm, ck.learners.maml.theta);
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
