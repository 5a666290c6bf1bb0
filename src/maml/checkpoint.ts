import * as tf from './tf';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';
import type { SinusoidConfig } from './sinusoid/experiment';
import type { OmniglotConfig } from './omniglot/config';
import { bodyShapes } from './networks/convNet';
import type { RlConfig } from './rl/rlConfig';
import { policyShapes } from './networks/gaussianPolicy';

/**
 * Checkpoints in tfjs's own weight format: a JSON manifest (what the model is, how it
 * was trained) plus one binary file of weights described by a tfjs weightsManifest.
 */
export const CHECKPOINT_FORMAT = 'maml-lab/checkpoint';
export const CHECKPOINT_VERSION = 1;
const MAX_WEIGHT_BYTES = 64 * 1024 * 1024;

export interface LearnerState {
  /** Meta-parameters, in model order. */
  theta: Float32Array[];
  /** Adam's state (tfjs optimizer weights), for resuming training; optional. */
  optimizer?: { name: string; values: Float32Array; shape: number[] }[];
  iteration: number;
}

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  experiment: 'sinusoid' | 'omniglot' | 'rl';
  architecture: Architecture;
  config: SinusoidConfig | OmniglotConfig | RlConfig;
  /** The task family the model was meta-trained on (e.g. the sinusoid ranges), for the record. */
  taskFamily?: Record<string, unknown>;
  /** Seconds of training and where it ran, for the record. */
  trainedOn?: { backend: string; seconds: number; date: string };
  learners: Record<string, { iteration: number; algorithm: string; parameters: number; optimizerSlots: number }>;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** An MLP (sinusoid) or the conv-4 blocks (Omniglot; the head is zero at the start of each episode). */
export type Architecture =
  | { kind: 'mlp'; sizes: number[]; activation: 'relu' }
  | { kind: 'conv4'; filters: number; channels: number; imageSize: number; head: 'zero' }
  /** The RL policy: an MLP for the mean action plus a learned log standard deviation (last parameter). */
  | { kind: 'gaussianMlp'; sizes: number[]; activation: 'relu' };

export function parameterShapes(a: Architecture): number[][] {
  if (a.kind === 'gaussianMlp') return policyShapes(a.sizes);
  return a.kind === 'mlp' ? mlpShapesOf(a.sizes) : bodyShapes({ filters: a.filters, channels: a.channels, imageSize: a.imageSize });
}

export interface Checkpoint {
  manifest: CheckpointManifest;
  learners: Record<string, LearnerState>;
}

export async function encodeCheckpoint(
  ck: Omit<CheckpointManifest, 'format' | 'version' | 'weightsManifest' | 'learners'> & {
    learners: Record<string, LearnerState & { algorithm: string }>;
  },
  weightsPath = 'weights.bin',
): Promise<{ manifest: CheckpointManifest; weights: ArrayBuffer }> {
  const named: NamedTensor[] = [];
  const shapes = parameterShapes(ck.architecture);
  const learners: CheckpointManifest['learners'] = {};
  for (const [key, l] of Object.entries(ck.learners)) {
    l.theta.forEach((v, i) => named.push({ name: `${key}/theta/${i}`, tensor: tf.tensor(v, shapes[i]) }));
    (l.optimizer ?? []).forEach((o, i) =>
      named.push({ name: `${key}/optimizer/${i}/${o.name}`, tensor: tf.tensor(Float32Array.from(o.values), o.shape, 'float32') }),
    );
    learners[key] = {
      iteration: l.iteration,
      algorithm: l.algorithm,
      parameters: l.theta.length,
      optimizerSlots: l.optimizer?.length ?? 0,
    };
  }
  const { data, specs } = await tf.io.encodeWeights(named);
  tf.dispose(named.map((n) => n.tensor));
  const { learners: _, ...rest } = ck;
  return {
    manifest: {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      ...rest,
      learners,
      weightsManifest: [{ paths: [weightsPath], weights: specs }],
    },
    weights: data,
  };
}

function mlpShapesOf(sizes: number[]): number[][] {
  const shapes: number[][] = [];
  for (let l = 0; l + 1 < sizes.length; l++) shapes.push([sizes[l], sizes[l + 1]], [sizes[l + 1]]);
  return shapes;
}

export class CheckpointError extends Error {}

/** Checks everything before anything is used: format, version, shapes, sizes, finite values. */
export function decodeCheckpoint(manifestJson: unknown, weights: ArrayBuffer): Checkpoint {
  const fail = (why: string): never => {
    throw new CheckpointError(`Not a usable checkpoint: ${why}`);
  };
  const m = manifestJson as CheckpointManifest;
  if (!m || typeof m !== 'object') fail('the manifest is not a JSON object');
  if (m.format !== CHECKPOINT_FORMAT) fail(`format is ${JSON.stringify(m.format)}, expected ${CHECKPOINT_FORMAT}`);
  if (m.version !== CHECKPOINT_VERSION) fail(`version ${m.version} is not supported (expected ${CHECKPOINT_VERSION})`);
  if (m.experiment !== 'sinusoid' && m.experiment !== 'omniglot' && m.experiment !== 'rl')
    fail(`experiment ${JSON.stringify(m.experiment)} is not supported`);
  const arch = m.architecture;
  if (!arch || typeof arch !== 'object') fail('architecture is missing');
  if (m.experiment === 'sinusoid') {
    const sizes = arch.kind === 'mlp' ? arch.sizes : fail('a sinusoid model is an MLP');
    if (!Array.isArray(sizes) || sizes.length < 2 || sizes.length > 6 || sizes.some((s) => !Number.isInteger(s) || s < 1 || s > 1024))
      fail('architecture sizes are missing or out of range');
    if (sizes[0] !== 1 || sizes[sizes.length - 1] !== 1) fail('a sinusoid model maps 1 input to 1 output');
  } else if (m.experiment === 'rl') {
    const sizes = arch.kind === 'gaussianMlp' ? arch.sizes : fail('an RL policy is a Gaussian MLP');
    if (!Array.isArray(sizes) || sizes.length < 2 || sizes.length > 6 || sizes.some((s) => !Number.isInteger(s) || s < 1 || s > 1024))
      fail('architecture sizes are missing or out of range');
    if (sizes[0] !== 2 || sizes[sizes.length - 1] !== 2) fail('an RL policy maps a 2-D observation to a 2-D action');
  } else {
    if (arch.kind !== 'conv4') fail('an Omniglot model is the conv-4 network');
    const a = arch as Extract<Architecture, { kind: 'conv4' }>;
    if (!Number.isInteger(a.filters) || a.filters < 1 || a.filters > 128) fail('conv-4 filters must be an integer from 1 to 128');
    if (a.channels !== 1 || a.imageSize !== 28) fail('conv-4 reads 28x28 grayscale images');
  }
  if (weights.byteLength > MAX_WEIGHT_BYTES) fail(`weights are ${weights.byteLength} bytes, over the limit`);
  const specs = m.weightsManifest?.flatMap((g) => g.weights) ?? fail('weightsManifest is missing');
  const expectedBytes = specs.reduce((a, s) => {
    if (s.dtype !== 'float32') fail(`weight ${s.name} has dtype ${s.dtype}, expected float32`);
    return a + 4 * s.shape.reduce((x, y) => x * y, 1);
  }, 0);
  if (expectedBytes !== weights.byteLength)
    fail(`the weights file has ${weights.byteLength} bytes but the manifest describes ${expectedBytes}`);
  // Read the float32 weights straight from the buffer, in manifest order (no tensors:
  // this runs on any backend, and nothing is allocated before the checks pass).
  const map: Record<string, { shape: number[]; values: Float32Array }> = {};
  let offset = 0;
  for (const spec of specs) {
    const n = spec.shape.reduce((x, y) => x * y, 1);
    map[spec.name] = { shape: spec.shape, values: new Float32Array(weights.slice(offset, offset + 4 * n)) };
    offset += 4 * n;
  }
  const shapes = parameterShapes(arch);
  const learners: Record<string, LearnerState> = {};
  for (const [key, info] of Object.entries(m.learners ?? {})) {
    const theta = shapes.map((shape, i) => {
      const t = map[`${key}/theta/${i}`] ?? fail(`learner ${key} lacks parameter ${i}`);
      if (t.shape.join() !== shape.join()) fail(`learner ${key} parameter ${i} has shape [${t.shape}], expected [${shape}]`);
      if (!t.values.every(Number.isFinite)) fail(`learner ${key} parameter ${i} holds non-finite values`);
      return t.values;
    });
    const optimizer = Object.keys(map)
      .filter((n) => n.startsWith(`${key}/optimizer/`))
      .sort((a, b) => Number(a.split('/')[2]) - Number(b.split('/')[2]))
      .map((n) => ({ name: n.split('/').slice(3).join('/'), values: map[n].values, shape: map[n].shape }));
    learners[key] = { theta, optimizer: optimizer.length ? optimizer : undefined, iteration: info.iteration };
  }
  if (!Object.keys(learners).length) fail('it holds no learner');
  return { manifest: m, learners };
}
