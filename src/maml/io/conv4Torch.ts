/**
 * This project's models under PyTorch state-dict names (docs/PYTORCH.md has the modules):
 *
 * The conv-4 network (networks/convNet.ts), for a module with `blocks` (4 of conv + norm)
 * and a `head`:
 *   blocks.{l}.conv.weight  [C, Cin, 3, 3]  Conv2d, OIHW; ours is HWIO [3, 3, Cin, C]
 *   blocks.{l}.norm.weight  [C]             BatchNorm2d gamma
 *   blocks.{l}.norm.bias    [C]             BatchNorm2d beta
 *   head.weight             [N, 4C]         Linear; its input is the 2x2xC features
 *                                           flattened NCHW (c*4 + i*2 + j), ours NHWC ((i*2 + j)*C + c)
 *   head.bias               [N]
 * The head is optional: this project meta-learns the blocks only and starts every
 * episode from a zero head.
 *
 * The MLPs (sinusoid regression, the RL policy's mean) as an nn.Sequential of Linear and
 * ReLU: net.{2l}.weight [out, in] (ours is [in, out]), net.{2l}.bias [out]; the policy's
 * state-independent log standard deviation is log_std [actions].
 */
import { BLOCKS, PARAMS_PER_BLOCK, blockGeometry, type ConvNetShape } from '../networks/convNet';
import type { NamedTensor } from './safetensors';

export class TorchMappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TorchMappingError';
  }
}

/** The value of "format" in the metadata this project writes. */
export const TORCH_EXPORT_FORMAT = 'maml-lab/torch';
export const TORCH_EXPORT_VERSION = '1';
export const PRODUCER = 'maml-lab';
/** Bounds of conv-4 widths this project reads (as checkpoint.ts). */
export const MAX_FILTERS = 128;

const IMAGE = 28;
const shapeOf = (filters: number): ConvNetShape => ({ filters, channels: 1, imageSize: IMAGE });
const fmt = (shape: number[]) => `[${shape.join(',')}]`;

/** The conv-4 tensor names and shapes, in order: 4 blocks of (conv, norm gamma, norm beta), then the head if `way` is given. */
export function conv4TorchShapes(filters: number, way?: number): { name: string; shape: number[] }[] {
  const out = blockGeometry(shapeOf(filters)).flatMap((g, l) => [
    { name: `blocks.${l}.conv.weight`, shape: [g.c, g.cin, 3, 3] },
    { name: `blocks.${l}.norm.weight`, shape: [g.c] },
    { name: `blocks.${l}.norm.bias`, shape: [g.c] },
  ]);
  if (way !== undefined) out.push({ name: 'head.weight', shape: [way, featuresOf(filters)] }, { name: 'head.bias', shape: [way] });
  return out;
}

function featuresOf(filters: number): number {
  const g = blockGeometry(shapeOf(filters))[BLOCKS - 1];
  return g.ho * g.wo * g.c;
}

/** HWIO [3,3,Cin,C] (rows kernel row, kernel column, input channel) -> OIHW [C,Cin,3,3]. */
function hwioToOihw(w: Float32Array, cin: number, c: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let kh = 0; kh < 3; kh++)
    for (let kw = 0; kw < 3; kw++)
      for (let ci = 0; ci < cin; ci++)
        for (let co = 0; co < c; co++) out[((co * cin + ci) * 3 + kh) * 3 + kw] = w[((kh * 3 + kw) * cin + ci) * c + co];
  return out;
}

function oihwToHwio(w: Float32Array, cin: number, c: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let kh = 0; kh < 3; kh++)
    for (let kw = 0; kw < 3; kw++)
      for (let ci = 0; ci < cin; ci++)
        for (let co = 0; co < c; co++) out[((kh * 3 + kw) * cin + ci) * c + co] = w[((co * cin + ci) * 3 + kh) * 3 + kw];
  return out;
}

/**
 * The head's columns from our NHWC flatten ((i*W + j)*C + c) to PyTorch's NCHW flatten
 * (c*H*W + i*W + j), or back.
 */
function permuteHead(w: Float32Array, way: number, filters: number, toTorch: boolean): Float32Array {
  const g = blockGeometry(shapeOf(filters))[BLOCKS - 1];
  const S = g.ho * g.wo;
  const D = S * filters;
  const out = new Float32Array(w.length);
  for (let n = 0; n < way; n++)
    for (let s = 0; s < S; s++)
      for (let c = 0; c < filters; c++) {
        const ours = n * D + s * filters + c;
        const torch = n * D + c * S + s;
        if (toTorch) out[torch] = w[ours];
        else out[ours] = w[torch];
      }
  return out;
}

/** The conv-4 blocks (and optionally a head, W [N, 4C] and b [N] as convNet.ts has them) under PyTorch names. */
export function conv4ToTorch(
  theta: Float32Array[],
  filters: number,
  head?: { W: Float32Array; b: Float32Array; way: number },
): NamedTensor[] {
  if (!Number.isInteger(filters) || filters < 1 || filters > MAX_FILTERS)
    throw new TorchMappingError(`conv-4 filters must be a whole number from 1 to ${MAX_FILTERS}, not ${filters}`);
  const specs = conv4TorchShapes(filters, head?.way);
  if (theta.length !== BLOCKS * PARAMS_PER_BLOCK)
    throw new TorchMappingError(`the conv-4 blocks have ${BLOCKS * PARAMS_PER_BLOCK} parameters, not ${theta.length}`);
  const geometry = blockGeometry(shapeOf(filters));
  const out: NamedTensor[] = [];
  specs.forEach((spec, i) => {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const src = i < theta.length ? theta[i] : i === theta.length ? head!.W : head!.b;
    if (src.length !== n) throw new TorchMappingError(`${spec.name} needs ${n} values (shape ${fmt(spec.shape)}), got ${src.length}`);
    let values: Float32Array;
    if (i < theta.length && i % PARAMS_PER_BLOCK === 0) {
      const g = geometry[i / PARAMS_PER_BLOCK];
      values = hwioToOihw(src, g.cin, g.c);
    } else if (i === theta.length) values = permuteHead(src, head!.way, filters, true);
    else values = Float32Array.from(src);
    out.push({ name: spec.name, shape: spec.shape, values });
  });
  return out;
}

export interface Conv4FromTorch {
  filters: number;
  /** The blocks in this project's order and layout (convNet.ts). */
  theta: Float32Array[];
  /** A head, when the file holds one: W [N, 4C] with our NHWC feature order, b [N]. */
  head?: { W: Float32Array; b: Float32Array; way: number };
}

type TensorSource = Map<string, { shape: number[]; values: Float32Array }>;

/**
 * The conv-4 blocks (and head, if any) from PyTorch-named tensors, checked: every expected
 * name present with its shape (the first mismatch is named), no unknown name.
 */
export function conv4FromTorch(tensors: TensorSource): Conv4FromTorch {
  const fail = (why: string): never => {
    throw new TorchMappingError(`Not the conv-4 model: ${why}`);
  };
  const first = tensors.get('blocks.0.conv.weight') ?? fail('blocks.0.conv.weight is missing');
  if (first.shape.length !== 4) fail(`blocks.0.conv.weight has shape ${fmt(first.shape)}, expected [C,1,3,3]`);
  const filters = first.shape[0];
  if (!Number.isInteger(filters) || filters < 1 || filters > MAX_FILTERS)
    fail(`blocks.0.conv.weight has ${filters} output channels; this project reads 1 to ${MAX_FILTERS} filters`);
  const hasHead = tensors.has('head.weight') || tensors.has('head.bias');
  const bias = tensors.get('head.bias');
  const way = bias?.shape.length === 1 ? bias.shape[0] : tensors.get('head.weight')?.shape[0];
  const specs = conv4TorchShapes(filters, hasHead ? (way ?? 0) : undefined);
  for (const spec of specs) {
    const t = tensors.get(spec.name);
    if (!t) {
      if (spec.name.startsWith('head.')) fail(`${spec.name} is missing (a head needs both head.weight and head.bias, or neither)`);
      fail(`${spec.name} is missing`);
    } else if (fmt(t.shape) !== fmt(spec.shape)) {
      const why =
        spec.name === 'blocks.0.conv.weight' && t.shape[1] !== 1 ? ' (the model reads 28x28 grayscale images: 1 input channel)' : '';
      fail(`${spec.name} has shape ${fmt(t.shape)}, expected ${fmt(spec.shape)}${why}`);
    } else if (t.values.length !== spec.shape.reduce((a, b) => a * b, 1)) {
      fail(`${spec.name} has ${t.values.length} values, not the ${spec.shape.reduce((a, b) => a * b, 1)} of its shape ${fmt(spec.shape)}`);
    }
  }
  const known = new Set(specs.map((s) => s.name));
  const extra = [...tensors.keys()].filter((n) => !known.has(n)).sort();
  if (extra.length)
    fail(`${extra.length === 1 ? 'tensor' : 'tensors'} ${extra.join(', ')} ${extra.length === 1 ? 'is' : 'are'} not part of it`);
  const geometry = blockGeometry(shapeOf(filters));
  const theta = specs.slice(0, BLOCKS * PARAMS_PER_BLOCK).map((spec, i) => {
    const v = tensors.get(spec.name)!.values;
    if (i % PARAMS_PER_BLOCK !== 0) return Float32Array.from(v);
    const g = geometry[i / PARAMS_PER_BLOCK];
    return oihwToHwio(v, g.cin, g.c);
  });
  if (!hasHead) return { filters, theta };
  const W = permuteHead(tensors.get('head.weight')!.values, way!, filters, false);
  return { filters, theta, head: { W, b: Float32Array.from(tensors.get('head.bias')!.values), way: way! } };
}

/** What a conv-4 file's metadata says of its training (numbers as decimal strings). */
export interface Conv4Settings {
  /** Inner learning rate at the training way. */
  alpha?: number;
  /** Classes per training episode (alpha scales with way / this). */
  way?: number;
  trainSteps?: number;
  testSteps?: number;
}

/** The metadata written with a conv-4 export. */
export function conv4Metadata(filters: number, settings: Conv4Settings = {}, extra: Record<string, string> = {}): Record<string, string> {
  const m: Record<string, string> = {
    ...extra,
    format: TORCH_EXPORT_FORMAT,
    version: TORCH_EXPORT_VERSION,
    producer: PRODUCER,
    architecture: 'conv4',
    filters: String(filters),
    channels: '1',
    image_size: String(IMAGE),
    head: 'zero',
  };
  for (const [k, v] of Object.entries(settings)) if (v !== undefined) m[k] = String(v);
  return m;
}

/**
 * The settings a conv-4 file's metadata holds (missing ones are left undefined; PyTorch's
 * save_file writes none). Refuses a file that says it is another architecture, another
 * width than its tensors, or holds settings that are not numbers in range.
 */
export function readConv4Settings(metadata: Record<string, string>, filters: number): Conv4Settings {
  const fail = (why: string): never => {
    throw new TorchMappingError(`Not the conv-4 model: ${why}`);
  };
  if (metadata.architecture !== undefined && metadata.architecture !== 'conv4')
    fail(`its metadata says architecture ${JSON.stringify(metadata.architecture)}`);
  if (metadata.filters !== undefined && Number(metadata.filters) !== filters)
    fail(`its metadata says ${metadata.filters} filters but blocks.0.conv.weight has ${filters}`);
  const num = (key: keyof Conv4Settings, ok: (x: number) => boolean, what: string): number | undefined => {
    const s = metadata[key];
    if (s === undefined) return undefined;
    const x = s.trim() === '' ? NaN : Number(s);
    if (!ok(x)) fail(`metadata ${key} is ${JSON.stringify(s)}, expected ${what}`);
    return x;
  };
  const count = (lo: number, hi: number) => (x: number) => Number.isInteger(x) && x >= lo && x <= hi;
  return {
    alpha: num('alpha', (x) => Number.isFinite(x) && x > 0, 'a positive number'),
    way: num('way', count(2, 100), 'a whole number from 2 to 100'),
    trainSteps: num('trainSteps', count(0, 100), 'a whole number from 0 to 100'),
    testSteps: num('testSteps', count(0, 100), 'a whole number from 0 to 100'),
  };
}

/**
 * An MLP [W0, b0, W1, b1, ...] with W [in, out] (networks/mlp.ts, gaussianPolicy.ts) as
 * nn.Sequential(Linear, ReLU, Linear, ...) names: net.{2l}.weight [out, in], net.{2l}.bias;
 * with `logStd`, the last parameter is the policy's log_std.
 */
export function mlpToTorch(theta: Float32Array[], sizes: number[], logStd = false): NamedTensor[] {
  const layers = sizes.length - 1;
  const expected = 2 * layers + (logStd ? 1 : 0);
  if (theta.length !== expected) throw new TorchMappingError(`an MLP of sizes [${sizes}] has ${expected} parameters, not ${theta.length}`);
  const out: NamedTensor[] = [];
  for (let l = 0; l < layers; l++) {
    const [fi, fo] = [sizes[l], sizes[l + 1]];
    const W = theta[2 * l];
    const b = theta[2 * l + 1];
    if (W.length !== fi * fo || b.length !== fo) throw new TorchMappingError(`layer ${l} does not match sizes [${sizes}]`);
    const Wt = new Float32Array(fi * fo);
    for (let i = 0; i < fi; i++) for (let o = 0; o < fo; o++) Wt[o * fi + i] = W[i * fo + o];
    out.push(
      { name: `net.${2 * l}.weight`, shape: [fo, fi], values: Wt },
      { name: `net.${2 * l}.bias`, shape: [fo], values: Float32Array.from(b) },
    );
  }
  if (logStd) {
    const s = theta[2 * layers];
    if (s.length !== sizes[layers]) throw new TorchMappingError(`log_std has ${s.length} values, expected ${sizes[layers]}`);
    out.push({ name: 'log_std', shape: [s.length], values: Float32Array.from(s) });
  }
  return out;
}
