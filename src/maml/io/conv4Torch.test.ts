import { describe, expect, it } from 'vitest';
import { createRng } from '../random';
import { ConvNet, bodyShapes, headShapes, type ConvNetShape } from '../networks/convNet';
import { jsGemm } from '../networks/gemm';
import {
  conv4FromTorch,
  conv4Metadata,
  conv4ToTorch,
  conv4TorchShapes,
  mlpToTorch,
  readConv4Settings,
  TorchMappingError,
} from './conv4Torch';
import { decodeSafetensors, encodeSafetensors } from './safetensors';

function randomArrays(shapes: number[][], seed: string, scale = 0.5): Float32Array[] {
  const rng = createRng(seed);
  return shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => scale * rng.normal()));
}

const shapeOf = (filters: number): ConvNetShape => ({ filters, channels: 1, imageSize: 28 });
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const asMap = (named: { name: string; shape: number[]; values: Float32Array }[]) =>
  new Map(named.map((t) => [t.name, { shape: t.shape, values: t.values }]));

/**
 * The conv-4 forward pass as PyTorch computes it, in float64, on NCHW images and the
 * TORCH-named tensors: Conv2d(3x3, stride 2, padding 1, no bias), BatchNorm2d with the
 * batch's statistics (biased variance, eps 1e-5), ReLU, four times; flatten NCHW; Linear.
 * Written from PyTorch's definitions, independently of convNet.ts and conv4Torch.ts.
 */
function torchForward(sd: Map<string, { shape: number[]; values: Float32Array }>, images: Float64Array, B: number): Float64Array {
  let x = images; // [B, 1, 28, 28]
  let [cin, h, w] = [1, 28, 28];
  for (let l = 0; l < 4; l++) {
    const W = sd.get(`blocks.${l}.conv.weight`)!; // [C, Cin, 3, 3]
    const gamma = sd.get(`blocks.${l}.norm.weight`)!.values;
    const beta = sd.get(`blocks.${l}.norm.bias`)!.values;
    const C = W.shape[0];
    const ho = Math.floor((h + 2 - 3) / 2) + 1;
    const wo = Math.floor((w + 2 - 3) / 2) + 1;
    const z = new Float64Array(B * C * ho * wo);
    for (let b = 0; b < B; b++)
      for (let o = 0; o < C; o++)
        for (let i = 0; i < ho; i++)
          for (let j = 0; j < wo; j++) {
            let s = 0;
            for (let c = 0; c < cin; c++)
              for (let kh = 0; kh < 3; kh++)
                for (let kw = 0; kw < 3; kw++) {
                  const y = 2 * i - 1 + kh;
                  const xx = 2 * j - 1 + kw;
                  if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
                  s += x[((b * cin + c) * h + y) * w + xx] * W.values[((o * cin + c) * 3 + kh) * 3 + kw];
                }
            z[((b * C + o) * ho + i) * wo + j] = s;
          }
    const n = B * ho * wo;
    for (let o = 0; o < C; o++) {
      let mean = 0;
      for (let b = 0; b < B; b++) for (let p = 0; p < ho * wo; p++) mean += z[(b * C + o) * ho * wo + p];
      mean /= n;
      let v = 0;
      for (let b = 0; b < B; b++) for (let p = 0; p < ho * wo; p++) v += (z[(b * C + o) * ho * wo + p] - mean) ** 2;
      v /= n;
      for (let b = 0; b < B; b++)
        for (let p = 0; p < ho * wo; p++) {
          const k = (b * C + o) * ho * wo + p;
          z[k] = Math.max(0, ((z[k] - mean) / Math.sqrt(v + 1e-5)) * gamma[o] + beta[o]);
        }
    }
    x = z;
    [cin, h, w] = [C, ho, wo];
  }
  // x.flatten(1): [B, C*h*w] in NCHW order, which is already x's layout.
  const D = cin * h * w;
  const Wh = sd.get('head.weight')!; // [N, D]
  const bh = sd.get('head.bias')!.values;
  const N = Wh.shape[0];
  const logits = new Float64Array(B * N);
  for (let b = 0; b < B; b++)
    for (let k = 0; k < N; k++) {
      let s = bh[k];
      for (let d = 0; d < D; d++) s += x[b * D + d] * Wh.values[k * D + d];
      logits[b * N + k] = s;
    }
  return logits;
}

describe('conv-4 <-> PyTorch state dict', () => {
  it('names and shapes follow the documented module', () => {
    expect(conv4TorchShapes(32, 5).map((s) => `${s.name} [${s.shape}]`)).toEqual([
      'blocks.0.conv.weight [32,1,3,3]',
      'blocks.0.norm.weight [32]',
      'blocks.0.norm.bias [32]',
      'blocks.1.conv.weight [32,32,3,3]',
      'blocks.1.norm.weight [32]',
      'blocks.1.norm.bias [32]',
      'blocks.2.conv.weight [32,32,3,3]',
      'blocks.2.norm.weight [32]',
      'blocks.2.norm.bias [32]',
      'blocks.3.conv.weight [32,32,3,3]',
      'blocks.3.norm.weight [32]',
      'blocks.3.norm.bias [32]',
      'head.weight [5,128]',
      'head.bias [5]',
    ]);
  });

  it.each([
    ['without a head', undefined],
    ['with a head', 4],
  ])('round-trips theta through safetensors bytes bit for bit, %s', (_, way) => {
    const filters = 6;
    const theta = randomArrays(bodyShapes(shapeOf(filters)), 'round-trip');
    const [W, b] = randomArrays(headShapes(shapeOf(filters), way ?? 1), 'round-trip/head');
    const head = way ? { W, b, way } : undefined;
    const bytes = encodeSafetensors(conv4ToTorch(theta, filters, head), conv4Metadata(filters, { alpha: 0.4, way: 5, testSteps: 3 }));
    const { tensors, metadata } = decodeSafetensors(bytes);
    const back = conv4FromTorch(tensors);
    expect(back.filters).toBe(filters);
    expect(back.theta.map(bits)).toEqual(theta.map(bits));
    if (head) {
      expect(back.head!.way).toBe(way);
      expect(bits(back.head!.W)).toEqual(bits(W));
      expect(bits(back.head!.b)).toEqual(bits(b));
    } else expect(back.head).toBeUndefined();
    expect(metadata).toMatchObject({ architecture: 'conv4', filters: '6', format: 'maml-lab/torch', version: '1', producer: 'maml-lab' });
    expect(readConv4Settings(metadata, filters)).toEqual({ alpha: 0.4, way: 5, trainSteps: undefined, testSteps: 3 });
  });

  it("gives PyTorch's NCHW forward pass the same logits as the project's ConvNet", () => {
    const filters = 4;
    const way = 3;
    const B = 3;
    const shape = shapeOf(filters);
    const theta = randomArrays(bodyShapes(shape), 'forward', 0.6).map((a, i) => (i % 3 === 1 ? a.map((v) => 1 + 0.5 * v) : a));
    const [W, b] = randomArrays(headShapes(shape, way), 'forward/head', 0.7);
    const rng = createRng('forward/images');
    // Our images are [B, 28, 28, 1] (NHWC), which with one channel is also NCHW.
    const images = Float64Array.from({ length: B * 784 }, () => (rng.next() < 0.3 ? rng.next() : 0));
    const net = new ConvNet(shape, jsGemm);
    const ours = net.forward(
      [...theta, W, b].map((a) => Float64Array.from(a)),
      images,
      B,
      way,
    ).logits;
    const sd = asMap(conv4ToTorch(theta, filters, { W, b, way }));
    const theirs = torchForward(sd, images, B);
    expect(theirs.length).toBe(ours.length);
    const scale = Math.max(...Array.from(theirs, Math.abs));
    expect(scale).toBeGreaterThan(0.1); // not a degenerate case
    // Both in float64: they differ only by the order of summation.
    for (let i = 0; i < ours.length; i++) expect(Math.abs(ours[i] - theirs[i])).toBeLessThan(1e-8);
    // The permutations matter: reading our HWIO/NHWC arrays as if they were PyTorch's does not agree.
    const naive = new Map(sd);
    naive.set('head.weight', { shape: [way, 4 * filters], values: W });
    const wrong = torchForward(naive, images, B);
    expect(Math.max(...Array.from(wrong, (v, i) => Math.abs(v - ours[i])))).toBeGreaterThan(1e-2);
    const naiveConv = new Map(sd);
    naiveConv.set('blocks.1.conv.weight', { shape: [filters, filters, 3, 3], values: theta[3] });
    const wrongConv = torchForward(naiveConv, images, B);
    expect(Math.max(...Array.from(wrongConv, (v, i) => Math.abs(v - ours[i])))).toBeGreaterThan(1e-2);
  });

  describe('refusals name the first mismatch', () => {
    const sd = () => asMap(conv4ToTorch(randomArrays(bodyShapes(shapeOf(32)), 'refusals'), 32));

    it('a wrong shape', () => {
      const m = sd();
      m.set('blocks.2.conv.weight', { shape: [32, 16, 3, 3], values: new Float32Array(32 * 16 * 9) });
      m.set('blocks.3.norm.bias', { shape: [31], values: new Float32Array(31) });
      expect(() => conv4FromTorch(m)).toThrow(TorchMappingError);
      expect(() => conv4FromTorch(m)).toThrow('blocks.2.conv.weight has shape [32,16,3,3], expected [32,32,3,3]');
    });

    it('colour input (3 channels)', () => {
      const m = sd();
      m.set('blocks.0.conv.weight', { shape: [32, 3, 3, 3], values: new Float32Array(32 * 27) });
      expect(() => conv4FromTorch(m)).toThrow(/blocks\.0\.conv\.weight has shape \[32,3,3,3\], expected \[32,1,3,3\].*1 input channel/);
    });

    it('a missing tensor', () => {
      const m = sd();
      m.delete('blocks.1.norm.bias');
      m.delete('blocks.3.conv.weight');
      expect(() => conv4FromTorch(m)).toThrow('blocks.1.norm.bias is missing');
      m.delete('blocks.0.conv.weight');
      expect(() => conv4FromTorch(m)).toThrow('blocks.0.conv.weight is missing');
    });

    it('half a head', () => {
      const m = sd();
      m.set('head.bias', { shape: [5], values: new Float32Array(5) });
      expect(() => conv4FromTorch(m)).toThrow(/head\.weight is missing \(a head needs both/);
    });

    it('an extra tensor', () => {
      const m = sd();
      m.set('blocks.0.norm.running_mean', { shape: [32], values: new Float32Array(32) });
      expect(() => conv4FromTorch(m)).toThrow('tensor blocks.0.norm.running_mean is not part of it');
      m.set('fc.weight', { shape: [1], values: new Float32Array(1) });
      expect(() => conv4FromTorch(m)).toThrow('tensors blocks.0.norm.running_mean, fc.weight are not part of it');
    });

    it('metadata that contradicts the tensors', () => {
      expect(() => readConv4Settings({ architecture: 'mlp' }, 32)).toThrow(/architecture "mlp"/);
      expect(() => readConv4Settings({ filters: '64' }, 32)).toThrow(/64 filters but blocks\.0\.conv\.weight has 32/);
      expect(() => readConv4Settings({ alpha: 'fast' }, 32)).toThrow(/metadata alpha is "fast", expected a positive number/);
      expect(readConv4Settings({}, 32)).toEqual({});
    });
  });

  it('maps an MLP to nn.Sequential names, weights transposed to [out, in]', () => {
    const sizes = [2, 3, 2];
    const theta = [
      Float32Array.from([1, 2, 3, 4, 5, 6]),
      Float32Array.from([7, 8, 9]),
      Float32Array.from([1, 2, 3, 4, 5, 6]),
      Float32Array.from([0, 1]),
      Float32Array.from([-0.5, -1]),
    ];
    const named = mlpToTorch(theta, sizes, true);
    expect(named.map((t) => `${t.name} [${t.shape}]`)).toEqual([
      'net.0.weight [3,2]',
      'net.0.bias [3]',
      'net.2.weight [2,3]',
      'net.2.bias [2]',
      'log_std [2]',
    ]);
    // ours W0 [in=2, out=3] = [[1,2,3],[4,5,6]]; PyTorch's [out, in] = [[1,4],[2,5],[3,6]].
    expect(Array.from(named[0].values)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(named[2].values)).toEqual([1, 3, 5, 2, 4, 6]);
    expect(() => mlpToTorch(theta, sizes)).toThrow(/4 parameters, not 5/);
  });
});
