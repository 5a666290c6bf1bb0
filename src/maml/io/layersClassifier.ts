/**
 * The adapted Omniglot classifier as a tfjs LayersModel, the way Teachable Machine exports
 * its models: model.json (a Keras Sequential topology plus a weightsManifest),
 * model.weights.bin, and metadata.json (labels, input size and how to preprocess).
 *
 * The conv-4 network (networks/convNet.ts) uses the batch's own statistics in batch norm,
 * at adaptation and at prediction time alike; a LayersModel at inference uses fixed
 * (moving) statistics. The export therefore freezes each block's batch norm at the
 * statistics of the SUPPORT set (the examples the classes were taught with) under the
 * adapted parameters: the mean and biased variance of the block's pre-BN activations
 * over the support images, written as BatchNormalization's moving_mean and
 * moving_variance. `predictFrozen` computes what the exported model computes, with the
 * project's own im2col and matrix products, so the page can show the exported model's
 * predictions without tfjs-layers.
 *
 * The layers, per block: ZeroPadding2D(1) then Conv2D 3x3, stride 2, 'valid', no bias
 * (convNet.ts pads 1 on every side; tfjs's 'same' would pad 0 top/left and 1
 * bottom/right for stride 2 on even sizes: 28 -> 14 -> 7 -> 4 -> 2 either way, but
 * different pixels), BatchNormalization(epsilon BN_EPSILON), ReLU; then Flatten (NHWC,
 * the order convNet.ts flattens its 2x2xC features in) and Dense(way, softmax), whose
 * kernel [4C, way] is the head W [way, 4C] transposed.
 */
import * as tf from '../tf';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';
import { BN_EPSILON } from '../networks/convPasses';
import {
  BLOCKS,
  BODY_PARAMS,
  ConvNet,
  IMAGE_SIZE,
  PARAMS_PER_BLOCK,
  bodyShapes,
  type ConvNetShape,
  type ForwardCache,
} from '../networks/convNet';
import { jsGemm, type Vec } from '../networks/gemm';
import { INK_EXTENT, MIN_INK } from '../omniglot/preprocess';

export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
export const WEIGHTS_FILE = 'model.weights.bin';
export const PACKAGE_NAME = 'maml-lab';
export const DEFAULT_MODEL_NAME = 'maml-lab-classifier';

/** One block's batch-norm statistics over the support images: per channel, the mean and the biased variance. */
export interface BlockStatistics {
  mean: Float32Array;
  variance: Float32Array;
}

/** The adapted linear head: W [way, 4C] row-major (as convNet.ts holds it), b [way]. */
export interface ClassifierHead {
  W: Vec;
  b: Vec;
  way: number;
}

/** Images of 28*28 floats each (ink = 1, paper = 0, as preprocessRgba gives): a list, or one array of them back to back. */
export type Images = readonly Vec[] | Vec;

export class LayersExportError extends Error {}

function fail(why: string): never {
  throw new LayersExportError(`Cannot export the classifier: ${why}`);
}

function shapeOf(filters: number): ConvNetShape {
  return { filters, channels: 1, imageSize: IMAGE_SIZE };
}

function flatImages(images: Images): { x: Float64Array; count: number } {
  const list = ArrayBuffer.isView(images) ? null : (images as readonly Vec[]);
  const total = list ? list.length * PIXELS : (images as Vec).length;
  if (list) list.forEach((img, i) => img.length === PIXELS || fail(`image ${i + 1} has ${img.length} values, expected ${PIXELS}`));
  else if (total % PIXELS !== 0) fail(`${total} values is not a whole number of ${IMAGE_SIZE}x${IMAGE_SIZE} images`);
  const count = total / PIXELS;
  if (count < 1) fail('there are no images');
  const x = new Float64Array(total);
  if (list) list.forEach((img, i) => x.set(img, i * PIXELS));
  else x.set(images as Vec);
  if (!x.every(Number.isFinite)) fail('the images hold non-finite values');
  return { x, count };
}

function filtersOf(theta: Vec[]): number {
  if (!Array.isArray(theta) || theta.length < BODY_PARAMS)
    fail(`theta has ${theta?.length} arrays, expected ${BODY_PARAMS} (the four blocks)`);
  const filters = theta[1].length;
  if (!Number.isInteger(filters) || filters < 1 || filters > 128) fail(`${filters} filters: conv-4 has 1 to 128`);
  bodyShapes(shapeOf(filters)).forEach((s, i) => {
    const n = s.reduce((a, b) => a * b, 1);
    if (theta[i].length !== n) fail(`theta ${i} has ${theta[i].length} values, expected ${n} ([${s}])`);
    if (!theta[i].every(Number.isFinite)) fail(`theta ${i} holds non-finite values`);
  });
  return filters;
}

function checkHead(head: ClassifierHead, features: number) {
  const { way } = head;
  if (!Number.isInteger(way) || way < 1) fail(`way must be a positive integer, got ${way}`);
  if (head.W.length !== way * features) fail(`the head W has ${head.W.length} values, expected ${way} x ${features}`);
  if (head.b.length !== way) fail(`the head b has ${head.b.length} values, expected ${way}`);
  if (!head.W.every(Number.isFinite) || !head.b.every(Number.isFinite)) fail('the head holds non-finite values');
}

function checkStats(stats: BlockStatistics[], filters: number) {
  if (!Array.isArray(stats) || stats.length !== BLOCKS) fail(`${stats?.length} blocks of statistics, expected ${BLOCKS}`);
  stats.forEach((s, l) => {
    if (s.mean?.length !== filters || s.variance?.length !== filters) fail(`block ${l + 1}'s statistics are not ${filters} values each`);
    if (!s.mean.every(Number.isFinite)) fail(`block ${l + 1}'s mean holds non-finite values`);
    if (!s.variance.every((v) => Number.isFinite(v) && v >= 0)) fail(`block ${l + 1}'s variance is negative or not finite`);
  });
}

/**
 * Per block, the mean and biased variance over the support images of the pre-BN
 * activations (the convolution's output), under `theta` (the adapted blocks; a head after
 * them is ignored): the batch-norm statistics the network itself used on that batch.
 */
export function supportStatistics(net: ConvNet, theta: Vec[], supportImages: Images): BlockStatistics[] {
  const filters = filtersOf(theta);
  if (filters !== net.shape.filters) fail(`theta has ${filters} filters, the network ${net.shape.filters}`);
  const { x, count } = flatImages(supportImages);
  const body = theta.slice(0, BODY_PARAMS);
  const F = body[0].constructor as { new (n: number): Vec; from(a: ArrayLike<number>): Vec };
  // A zero head of one output: forward() needs one, and only the blocks' caches are read.
  const params = [...body, new F(net.features), new F(1)];
  return statisticsOf(net.forward(params, F.from(x), count, 1));
}

/** The batch-norm statistics a forward pass used, block by block: what a frozen batch norm keeps. */
export function statisticsOf(cache: ForwardCache): BlockStatistics[] {
  return cache.blocks.map(({ mean, variance }) => ({ mean: Float32Array.from(mean), variance: Float32Array.from(variance) }));
}

/**
 * Class probabilities [images, way] (row-major) of the network with batch norm frozen at
 * `stats`: what the exported LayersModel predicts. Computed in float64 with convNet.ts's
 * im2col, so each image's prediction is independent of the others.
 */
export function predictFrozen(theta: Vec[], head: ClassifierHead, stats: BlockStatistics[], images: Images): Float32Array {
  const filters = filtersOf(theta);
  const net = new ConvNet(shapeOf(filters), jsGemm);
  checkHead(head, net.features);
  checkStats(stats, filters);
  const { x, count: B } = flatImages(images);
  let input: Vec = x;
  net.geometry.forEach((g, l) => {
    const W = Float64Array.from(theta[l * PARAMS_PER_BLOCK]);
    const gamma = theta[l * PARAMS_PER_BLOCK + 1];
    const beta = theta[l * PARAMS_PER_BLOCK + 2];
    const { mean, variance } = stats[l];
    const C = g.c;
    const M = B * g.ho * g.wo;
    const z = jsGemm.mul(net.im2col(input, B, g), W, M, 9 * g.cin, C, false, false);
    const scale = Float64Array.from(gamma, (gm, c) => gm / Math.sqrt(variance[c] + BN_EPSILON));
    for (let r = 0; r < M; r++) {
      for (let c = 0; c < C; c++) {
        const i = r * C + c;
        const h = (z[i] - mean[c]) * scale[c] + beta[c];
        z[i] = h > 0 ? h : 0;
      }
    }
    input = z;
  });
  const { way } = head;
  const logits = jsGemm.mul(input, Float64Array.from(head.W), B, net.features, way, false, true);
  const p = new Float32Array(B * way);
  for (let b = 0; b < B; b++) {
    let max = -Infinity;
    for (let n = 0; n < way; n++) max = Math.max(max, (logits[b * way + n] += head.b[n]));
    let sum = 0;
    for (let n = 0; n < way; n++) sum += Math.exp(logits[b * way + n] - max);
    for (let n = 0; n < way; n++) p[b * way + n] = Math.exp(logits[b * way + n] - max) / sum;
  }
  return p;
}

export interface LayersClassifierInput {
  filters: number;
  /** The adapted blocks (12 arrays, convNet.ts's order); a head after them is ignored. */
  theta: Vec[];
  head: ClassifierHead;
  /** supportStatistics() of the support images under `theta`. */
  stats: BlockStatistics[];
  /** One name per output, in output order. */
  classNames: readonly string[];
  modelName?: string;
  /** ISO date for the metadata; left out when not given, so the export is deterministic. */
  timeStamp?: string;
}

export interface LayersModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: { class_name: 'Sequential'; config: { name: string; layers: KerasLayer[] }; keras_version: string; backend: string };
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
}

export interface ClassifierMetadata {
  packageName: typeof PACKAGE_NAME;
  tfjsVersion: string;
  modelName: string;
  timeStamp?: string;
  /** Class names in output order. */
  labels: string[];
  imageSize: number;
  channels: number;
  input: { shape: (number | null)[]; dtype: 'float32'; layout: 'NHWC'; range: [number, number]; ink: number; paper: number };
  preprocessing: { summary: string; steps: string[] };
  batchNorm: string;
  architecture: { kind: 'conv4'; filters: number; way: number };
  userMetadata: Record<string, unknown>;
}

export interface LayersClassifierExport {
  /** model.json, ready for JSON.stringify. */
  modelJson: LayersModelJson;
  /** model.weights.bin. */
  weightsBin: ArrayBuffer;
  /** metadata.json. */
  metadata: ClassifierMetadata;
}

const zeros = { class_name: 'Zeros', config: {} };
const ones = { class_name: 'Ones', config: {} };
const glorot = { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } };

/** The Keras Sequential layers, named as the weights are (tfjs-layers serialises them the same way). */
function kerasLayers(filters: number, way: number): KerasLayer[] {
  const layers: KerasLayer[] = [
    {
      class_name: 'InputLayer',
      config: { batch_input_shape: [null, IMAGE_SIZE, IMAGE_SIZE, 1], dtype: 'float32', sparse: false, name: 'image' },
    },
  ];
  for (let l = 1; l <= BLOCKS; l++) {
    layers.push(
      {
        class_name: 'ZeroPadding2D',
        config: {
          padding: [
            [1, 1],
            [1, 1],
          ],
          data_format: 'channels_last',
          name: `block${l}_pad`,
          trainable: true,
        },
      },
      {
        class_name: 'Conv2D',
        config: {
          filters,
          kernel_initializer: glorot,
          kernel_regularizer: null,
          kernel_constraint: null,
          kernel_size: [3, 3],
          strides: [2, 2],
          padding: 'valid',
          data_format: 'channels_last',
          dilation_rate: [1, 1],
          activation: 'linear',
          use_bias: false,
          bias_initializer: zeros,
          bias_regularizer: null,
          activity_regularizer: null,
          bias_constraint: null,
          name: `block${l}_conv`,
          trainable: true,
        },
      },
      {
        class_name: 'BatchNormalization',
        config: {
          axis: -1,
          momentum: 0.99,
          epsilon: BN_EPSILON,
          center: true,
          scale: true,
          beta_initializer: zeros,
          gamma_initializer: ones,
          moving_mean_initializer: zeros,
          moving_variance_initializer: ones,
          beta_regularizer: null,
          gamma_regularizer: null,
          beta_constraint: null,
          gamma_constraint: null,
          name: `block${l}_bn`,
          trainable: true,
        },
      },
      { class_name: 'Activation', config: { activation: 'relu', name: `block${l}_relu`, trainable: true } },
    );
  }
  layers.push(
    { class_name: 'Flatten', config: { name: 'flatten', trainable: true } },
    {
      class_name: 'Dense',
      config: {
        units: way,
        activation: 'softmax',
        use_bias: true,
        kernel_initializer: glorot,
        bias_initializer: zeros,
        kernel_regularizer: null,
        bias_regularizer: null,
        activity_regularizer: null,
        kernel_constraint: null,
        bias_constraint: null,
        name: 'head',
        trainable: true,
      },
    },
  );
  return layers;
}

/** How images must be prepared for the model: what omniglot/preprocess.ts does. */
export const PREPROCESSING = {
  summary:
    `Each image is what MAML Lab's preprocessRgba gives: ${IMAGE_SIZE}x${IMAGE_SIZE}, one channel, float32 in [0, 1], ` +
    `ink = 1 and paper = 0, the character cropped to its ink, centred, and area-averaged down. ` +
    `Raw canvas pixels (0-255, dark ink on white) are not what the model read.`,
  steps: [
    'grayscale: luminance 0.299 R + 0.587 G + 0.114 B in [0, 1], composited on white paper (transparent pixels are paper)',
    'ink polarity from the border: the median of the border pixels is the paper; light paper means dark ink, dark paper light ink',
    'ink = how far a pixel is from the paper towards the ink (0 where it is lighter than the paper for dark ink), contrast stretched so the strongest ink is 1',
    'cropped to the bounding box of the pixels with ink of at least 0.25; ink under 0.125 is set to 0',
    `padded to a square centred on that box, the box's larger side taking ${INK_EXTENT} of ${IMAGE_SIZE} pixels (the median in the Omniglot drawings), paper beyond the image's edges`,
    `area-averaged down to ${IMAGE_SIZE}x${IMAGE_SIZE} (each output pixel the mean of the input square it covers)`,
    `refused as blank with no ink, or with under ${MIN_INK} pixels' worth of ink at ${IMAGE_SIZE}x${IMAGE_SIZE}`,
  ],
};

export const BATCH_NORM_NOTE =
  'MAML normalises each batch by its own statistics. This export freezes every BatchNormalization layer at the ' +
  'statistics of the support set (the examples the classes were taught with) under the adapted weights: moving_mean ' +
  `and moving_variance are the mean and biased variance of the block's convolution output over those examples, epsilon ${BN_EPSILON}. ` +
  "Its predictions are those of the lab's 'exported model', one image at a time; the lab's own predictions, which " +
  'normalise a batch of queries by that batch, can differ slightly.';

/** model.json, model.weights.bin and metadata.json of the adapted classifier. */
export async function exportLayersClassifier(input: LayersClassifierInput): Promise<LayersClassifierExport> {
  const { theta, head, stats, classNames } = input;
  const filters = filtersOf(theta);
  if (input.filters !== filters) fail(`filters is ${input.filters} but theta has ${filters}`);
  const features = new ConvNet(shapeOf(filters), jsGemm).features;
  checkHead(head, features);
  checkStats(stats, filters);
  const { way } = head;
  if (!Array.isArray(classNames) || classNames.length !== way) fail(`${classNames?.length} class names for ${way} outputs`);
  classNames.forEach((n, i) => typeof n === 'string' || fail(`class name ${i + 1} is not a string`));
  const modelName = input.modelName ?? DEFAULT_MODEL_NAME;
  if (typeof modelName !== 'string' || !modelName) fail('the model name is empty');

  // Dense's kernel is [in, out]: the head's W [way, features] transposed.
  const kernel = new Float32Array(features * way);
  for (let n = 0; n < way; n++) for (let d = 0; d < features; d++) kernel[d * way + n] = head.W[n * features + d];
  const shapes = bodyShapes(shapeOf(filters));
  const named: NamedTensor[] = [];
  const add = (name: string, values: ArrayLike<number>, shape: number[]) =>
    named.push({ name, tensor: tf.tensor(Float32Array.from(values), shape, 'float32') });
  for (let l = 0; l < BLOCKS; l++) {
    const p = l * PARAMS_PER_BLOCK;
    add(`block${l + 1}_conv/kernel`, theta[p], shapes[p]);
    add(`block${l + 1}_bn/gamma`, theta[p + 1], [filters]);
    add(`block${l + 1}_bn/beta`, theta[p + 2], [filters]);
    add(`block${l + 1}_bn/moving_mean`, stats[l].mean, [filters]);
    add(`block${l + 1}_bn/moving_variance`, stats[l].variance, [filters]);
  }
  add('head/kernel', kernel, [features, way]);
  add('head/bias', head.b, [way]);
  let encoded: { data: ArrayBuffer; specs: tf.io.WeightsManifestEntry[] };
  try {
    encoded = await tf.io.encodeWeights(named);
  } finally {
    tf.dispose(named.map((n) => n.tensor));
  }

  const version = tf.version_core;
  const modelJson: LayersModelJson = {
    format: 'layers-model',
    generatedBy: `MAML Lab (TensorFlow.js tfjs-core v${version})`,
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: { name: modelName.replace(/[^A-Za-z0-9_.-]/g, '_'), layers: kerasLayers(filters, way) },
      keras_version: `tfjs-layers ${version}`,
      backend: 'tensor_flow.js',
    },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: encoded.specs }],
  };
  const metadata: ClassifierMetadata = {
    packageName: PACKAGE_NAME,
    tfjsVersion: version,
    modelName,
    ...(input.timeStamp !== undefined ? { timeStamp: input.timeStamp } : {}),
    labels: [...classNames],
    imageSize: IMAGE_SIZE,
    channels: 1,
    input: { shape: [null, IMAGE_SIZE, IMAGE_SIZE, 1], dtype: 'float32', layout: 'NHWC', range: [0, 1], ink: 1, paper: 0 },
    preprocessing: { summary: PREPROCESSING.summary, steps: [...PREPROCESSING.steps] },
    batchNorm: BATCH_NORM_NOTE,
    architecture: { kind: 'conv4', filters, way },
    userMetadata: {},
  };
  return { modelJson, weightsBin: encoded.data, metadata };
}
