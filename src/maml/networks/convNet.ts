/**
 * The paper's Omniglot network as explicit functions of its parameters: four blocks of
 * 3x3 convolution with stride 2 and padding 1 (28 -> 14 -> 7 -> 4 -> 2), batch norm
 * with the batch's own statistics (as MAML does at training and test time), ReLU; then
 * a linear head on the flattened 2x2xC features, and softmax cross-entropy written as
 * logSumExp(logits) - logit[label].
 *
 * Hand-derived, so that the second-order meta-gradient is exact and fast on two CPU
 * cores: `forward` and `backward` give the loss gradient, and `hvp` the product of the
 * loss's Hessian with a vector by the R-operator (forward-mode differentiation of the
 * forward and backward passes, Pearlmutter 1994). Convolutions run as im2col plus one
 * matrix product per call (gemm.ts); batch norm + ReLU and im2col are the memory-bound
 * passes of convPasses.ts (WebAssembly SIMD where available, bit for bit the JavaScript).
 * Everything is generic over Float32Array (training) and Float64Array (the finite-difference
 * tests).
 *
 * Parameters, in order: per block W [9*Cin, C] (rows ordered kernel row, kernel column,
 * input channel), gamma [C], beta [C]; then the head W [N, 4C] and b [N].
 */
import type { ConvPasses } from './convPasses';
import { defaultConvPasses } from './convPassesSimd';
import type { Gemm, Vec } from './gemm';

export const IMAGE_SIZE = 28;
export const BLOCKS = 4;

export interface ConvNetShape {
  filters: number;
  /** Input channels (1 for Omniglot). */
  channels: number;
  imageSize: number;
}

export interface BlockGeometry {
  h: number;
  w: number;
  cin: number;
  ho: number;
  wo: number;
  c: number;
}

export function blockGeometry(shape: ConvNetShape): BlockGeometry[] {
  const out: BlockGeometry[] = [];
  let h = shape.imageSize;
  let cin = shape.channels;
  for (let l = 0; l < BLOCKS; l++) {
    const ho = Math.floor((h - 1) / 2) + 1;
    out.push({ h, w: h, cin, ho, wo: ho, c: shape.filters });
    h = ho;
    cin = shape.filters;
  }
  return out;
}

/** Length of the flattened features the head reads. */
export function featureSize(shape: ConvNetShape): number {
  const g = blockGeometry(shape)[BLOCKS - 1];
  return g.ho * g.wo * g.c;
}

/** Shapes of the meta-parameters (the blocks; the head is per episode). */
export function bodyShapes(shape: ConvNetShape): number[][] {
  return blockGeometry(shape).flatMap((g) => [[3, 3, g.cin, g.c], [g.c], [g.c]]);
}

export function headShapes(shape: ConvNetShape, way: number): number[][] {
  return [[way, featureSize(shape)], [way]];
}

export const PARAMS_PER_BLOCK = 3;
export const BODY_PARAMS = BLOCKS * PARAMS_PER_BLOCK;

type Ctor = { new (n: number): Vec };

interface BlockCache {
  cols: Vec;
  z: Vec;
  /** The batch's statistics per channel: mean and biased variance of z (what a frozen batch norm would keep). */
  mean: Float64Array;
  variance: Float64Array;
  xhat: Vec;
  s: Vec;
  /** After ReLU; where it is positive is the ReLU's gate (pre-activation > 0). */
  a: Vec;
}

export interface ForwardCache {
  batch: number;
  way: number;
  x: Vec;
  blocks: BlockCache[];
  logits: Vec;
  p: Vec;
}

interface BlockBackCache {
  dh: Vec;
  dxhat: Vec;
  dz: Vec;
  m2: Vec;
}

export interface BackwardResult {
  loss: number;
  correct: number;
  grads: Vec[];
  dlogits: Vec;
  blocks: BlockBackCache[];
}

export class ConvNet {
  readonly geometry: BlockGeometry[];
  readonly features: number;

  constructor(
    readonly shape: ConvNetShape,
    readonly gemm: Gemm,
    readonly passes: ConvPasses = defaultConvPasses(),
  ) {
    this.geometry = blockGeometry(shape);
    this.features = featureSize(shape);
  }

  private readonly gathers = new Map<string, Int32Array>();

  /**
   * For each output position and kernel offset (row-major, as im2col's columns), the
   * offset of the input pixel's first channel, or -1 in the padding. Cached per shape.
   */
  private gatherIndex(B: number, g: BlockGeometry): Int32Array {
    const key = `${B}/${g.h}/${g.cin}`;
    let idx = this.gathers.get(key);
    if (idx) return idx;
    idx = new Int32Array(B * g.ho * g.wo * 9);
    let p = 0;
    for (let b = 0; b < B; b++)
      for (let i = 0; i < g.ho; i++)
        for (let j = 0; j < g.wo; j++)
          for (let kh = 0; kh < 3; kh++)
            for (let kw = 0; kw < 3; kw++) {
              const y = 2 * i + kh - 1;
              const x = 2 * j + kw - 1;
              idx[p++] = y < 0 || y >= g.h || x < 0 || x >= g.w ? -1 : ((b * g.h + y) * g.w + x) * g.cin;
            }
    this.gathers.set(key, idx);
    return idx;
  }

  /** im2col for a 3x3 kernel, stride 2, padding 1: [B,H,W,Cin] -> [B*Ho*Wo, 9*Cin]. */
  im2col(x: Vec, B: number, g: BlockGeometry): Vec {
    return this.passes.im2col(x, this.gatherIndex(B, g), g.cin);
  }

  /** The adjoint of im2col: scatter-adds columns back onto [B,H,W,Cin]. */
  col2im(cols: Vec, B: number, g: BlockGeometry): Vec {
    return this.passes.col2im(cols, this.gatherIndex(B, g), g.cin, B * g.h * g.w * g.cin);
  }

  /** Forward pass of B images [B, 28*28*channels] through the blocks and a head of `way` outputs. */
  forward(params: Vec[], x: Vec, B: number, way: number): ForwardCache {
    const F = x.constructor as Ctor;
    const blocks: BlockCache[] = [];
    let input = x;
    this.geometry.forEach((g, l) => {
      const [W, gamma, beta] = params.slice(l * PARAMS_PER_BLOCK, (l + 1) * PARAMS_PER_BLOCK);
      const M = B * g.ho * g.wo;
      const C = g.c;
      const cols = this.im2col(input, B, g);
      const z = this.gemm.mul(cols, W, M, 9 * g.cin, C, false, false);
      const { mean, variance, s, xhat, a } = this.passes.forward(z, gamma, beta, M, C);
      blocks.push({ cols, z, mean, variance, xhat, s, a });
      input = a;
    });
    const D = this.features;
    const Wh = params[BODY_PARAMS];
    const bh = params[BODY_PARAMS + 1];
    const logits = this.gemm.mul(input, Wh, B, D, way, false, true);
    const p = new F(B * way);
    for (let b = 0; b < B; b++) {
      let max = -Infinity;
      for (let n = 0; n < way; n++) {
        logits[b * way + n] += bh[n];
        max = Math.max(max, logits[b * way + n]);
      }
      let sum = 0;
      for (let n = 0; n < way; n++) sum += Math.exp(logits[b * way + n] - max);
      for (let n = 0; n < way; n++) p[b * way + n] = Math.exp(logits[b * way + n] - max) / sum;
    }
    return { batch: B, way, x, blocks, logits, p };
  }

  /**
   * Mean cross-entropy and its gradient with respect to every parameter. With `weights`
   * (one per example, mean 1) the mean is weighted: for uneven classes of one's own
   * examples. hvp() assumes no weights (it serves meta-training).
   */
  backward(params: Vec[], cache: ForwardCache, labels: Int32Array, weights?: ArrayLike<number>): BackwardResult {
    const { batch: B, way, p, logits } = cache;
    const F = p.constructor as Ctor;
    const D = this.features;
    let loss = 0;
    let correct = 0;
    const dlogits = new F(B * way);
    for (let b = 0; b < B; b++) {
      let max = -Infinity;
      for (let n = 0; n < way; n++) max = Math.max(max, logits[b * way + n]);
      let sum = 0;
      for (let n = 0; n < way; n++) sum += Math.exp(logits[b * way + n] - max);
      const w = weights ? weights[b] : 1;
      loss += w * (max + Math.log(sum) - logits[b * way + labels[b]]);
      correct += credit(logits, b * way, way, max, labels[b]);
    }
    crossEntropyLogitGradient(p, labels, B, way, weights, dlogits);
    const e = cache.blocks[BLOCKS - 1].a;
    const Wh = params[BODY_PARAMS];
    const dWh = this.gemm.mul(dlogits, e, way, B, D, true, false);
    const dbh = new F(way);
    for (let b = 0; b < B; b++) for (let n = 0; n < way; n++) dbh[n] += dlogits[b * way + n];
    const da = this.gemm.mul(dlogits, Wh, B, way, D, false, false);
    const { grads, blocks } = this.backwardBlocks(params, cache, da);
    grads[BODY_PARAMS] = dWh;
    grads[BODY_PARAMS + 1] = dbh;
    return { loss: loss / B, correct, grads, dlogits, blocks };
  }

  /**
   * Backpropagation through the blocks from `da`, the gradient with respect to the features
   * [B, D] the head reads: the blocks' gradients (the head's two entries left empty) and
   * what hvp() needs of the pass.
   */
  backwardBlocks(params: Vec[], cache: ForwardCache, features: Vec): { grads: Vec[]; blocks: BlockBackCache[] } {
    const B = cache.batch;
    const F = cache.p.constructor as Ctor;
    let da = features;
    const grads: Vec[] = new Array(BODY_PARAMS + 2);
    const blocks: BlockBackCache[] = new Array(BLOCKS);
    for (let l = BLOCKS - 1; l >= 0; l--) {
      const g = this.geometry[l];
      const bc = cache.blocks[l];
      const gamma = params[l * PARAMS_PER_BLOCK + 1];
      const W = params[l * PARAMS_PER_BLOCK];
      const M = B * g.ho * g.wo;
      const C = g.c;
      const { dh, dxhat, dz, m2, sb, sg } = this.passes.backward(da, bc.a, bc.xhat, gamma, bc.s, M, C);
      const dgamma = new F(C);
      const dbeta = new F(C);
      dgamma.set(sg);
      dbeta.set(sb);
      const K = 9 * g.cin;
      grads[l * PARAMS_PER_BLOCK] = this.gemm.mul(bc.cols, dz, K, M, C, true, false);
      grads[l * PARAMS_PER_BLOCK + 1] = dgamma;
      grads[l * PARAMS_PER_BLOCK + 2] = dbeta;
      blocks[l] = { dh, dxhat, dz, m2 };
      if (l > 0) da = this.col2im(this.gemm.mul(dz, W, M, C, K, false, true), B, g);
    }
    return { grads, blocks };
  }

  /**
   * The Hessian of the mean loss (at the parameters of `cache`/`back`) times the vector
   * `v` (one array per parameter), by forward-mode differentiation of forward and backward.
   */
  hvp(params: Vec[], cache: ForwardCache, back: BackwardResult, v: Vec[]): Vec[] {
    const { batch: B, way, p } = cache;
    const F = p.constructor as Ctor;
    const D = this.features;
    // R-forward.
    const R: { Rcols: Vec | null; Rxhat: Vec; Rs: Float64Array; Ra: Vec }[] = [];
    let Rinput: Vec | null = null;
    this.geometry.forEach((g, l) => {
      const W = params[l * PARAMS_PER_BLOCK];
      const gamma = params[l * PARAMS_PER_BLOCK + 1];
      const [RW, Rgamma, Rbeta] = v.slice(l * PARAMS_PER_BLOCK, (l + 1) * PARAMS_PER_BLOCK);
      const bc = cache.blocks[l];
      const M = B * g.ho * g.wo;
      const C = g.c;
      const K = 9 * g.cin;
      const Rz = this.gemm.mul(bc.cols, RW, M, K, C, false, false);
      let Rcols: Vec | null = null;
      if (Rinput) {
        Rcols = this.im2col(Rinput, B, g);
        const t = this.gemm.mul(Rcols, W, M, K, C, false, false);
        for (let i = 0; i < t.length; i++) Rz[i] += t[i];
      }
      const Rmean = new Float64Array(C);
      const Rs = new Float64Array(C);
      for (let r = 0; r < M; r++) {
        for (let c = 0; c < C; c++) {
          Rmean[c] += Rz[r * C + c];
          Rs[c] += bc.xhat[r * C + c] * Rz[r * C + c];
        }
      }
      for (let c = 0; c < C; c++) {
        Rmean[c] /= M;
        Rs[c] /= M;
      }
      const Rxhat = new F(M * C);
      const Ra = new F(M * C);
      for (let r = 0; r < M; r++) {
        for (let c = 0; c < C; c++) {
          const i = r * C + c;
          const rx = (Rz[i] - Rmean[c] - bc.xhat[i] * Rs[c]) / bc.s[c];
          Rxhat[i] = rx;
          Ra[i] = (Rgamma[c] * bc.xhat[i] + gamma[c] * rx + Rbeta[c]) * +(bc.a[i] > 0);
        }
      }
      R.push({ Rcols, Rxhat, Rs, Ra });
      Rinput = Ra;
    });
    const e = cache.blocks[BLOCKS - 1].a;
    const Re = R[BLOCKS - 1].Ra;
    const Wh = params[BODY_PARAMS];
    const RWh = v[BODY_PARAMS];
    const Rbh = v[BODY_PARAMS + 1];
    const Rlogits = this.gemm.mul(Re, Wh, B, D, way, false, true);
    const t = this.gemm.mul(e, RWh, B, D, way, false, true);
    const Rdlogits = new F(B * way);
    for (let b = 0; b < B; b++) {
      let dot = 0;
      for (let n = 0; n < way; n++) {
        const i = b * way + n;
        Rlogits[i] += t[i] + Rbh[n];
        dot += p[i] * Rlogits[i];
      }
      for (let n = 0; n < way; n++) {
        const i = b * way + n;
        Rdlogits[i] = (p[i] * (Rlogits[i] - dot)) / B;
      }
    }
    // R-backward.
    const out: Vec[] = new Array(BODY_PARAMS + 2);
    const RdWh = this.gemm.mul(Rdlogits, e, way, B, D, true, false);
    const t2 = this.gemm.mul(back.dlogits, Re, way, B, D, true, false);
    for (let i = 0; i < RdWh.length; i++) RdWh[i] += t2[i];
    const Rdbh = new F(way);
    for (let b = 0; b < B; b++) for (let n = 0; n < way; n++) Rdbh[n] += Rdlogits[b * way + n];
    out[BODY_PARAMS] = RdWh;
    out[BODY_PARAMS + 1] = Rdbh;
    let Rda = this.gemm.mul(Rdlogits, Wh, B, way, D, false, false);
    const t3 = this.gemm.mul(back.dlogits, RWh, B, way, D, false, false);
    for (let i = 0; i < Rda.length; i++) Rda[i] += t3[i];
    for (let l = BLOCKS - 1; l >= 0; l--) {
      const g = this.geometry[l];
      const bc = cache.blocks[l];
      const bb = back.blocks[l];
      const { Rcols, Rxhat, Rs } = R[l];
      const W = params[l * PARAMS_PER_BLOCK];
      const gamma = params[l * PARAMS_PER_BLOCK + 1];
      const RW = v[l * PARAMS_PER_BLOCK];
      const Rgamma = v[l * PARAMS_PER_BLOCK + 1];
      const M = B * g.ho * g.wo;
      const C = g.c;
      const K = 9 * g.cin;
      const Rdgamma = new F(C);
      const Rdbeta = new F(C);
      const Rdxhat = new F(M * C);
      const Rm1 = new Float64Array(C);
      const Rm2 = new Float64Array(C);
      for (let r = 0; r < M; r++) {
        for (let c = 0; c < C; c++) {
          const i = r * C + c;
          const rdh = Rda[i] * +(bc.a[i] > 0);
          Rdgamma[c] += rdh * bc.xhat[i] + bb.dh[i] * Rxhat[i];
          Rdbeta[c] += rdh;
          const rdx = Rgamma[c] * bb.dh[i] + gamma[c] * rdh;
          Rdxhat[i] = rdx;
          Rm1[c] += rdx;
          Rm2[c] += rdx * bc.xhat[i] + bb.dxhat[i] * Rxhat[i];
        }
      }
      for (let c = 0; c < C; c++) {
        Rm1[c] /= M;
        Rm2[c] /= M;
      }
      const Rdz = new F(M * C);
      for (let r = 0; r < M; r++) {
        for (let c = 0; c < C; c++) {
          const i = r * C + c;
          Rdz[i] = (Rdxhat[i] - Rm1[c] - Rxhat[i] * bb.m2[c] - bc.xhat[i] * Rm2[c] - bb.dz[i] * Rs[c]) / bc.s[c];
        }
      }
      const RdW = this.gemm.mul(bc.cols, Rdz, K, M, C, true, false);
      if (Rcols) {
        const t4 = this.gemm.mul(Rcols, bb.dz, K, M, C, true, false);
        for (let i = 0; i < RdW.length; i++) RdW[i] += t4[i];
      }
      out[l * PARAMS_PER_BLOCK] = RdW;
      out[l * PARAMS_PER_BLOCK + 1] = Rdgamma;
      out[l * PARAMS_PER_BLOCK + 2] = Rdbeta;
      if (l > 0) {
        const Rdcols = this.gemm.mul(Rdz, W, M, C, K, false, true);
        const t5 = this.gemm.mul(bb.dz, RW, M, C, K, false, true);
        for (let i = 0; i < Rdcols.length; i++) Rdcols[i] += t5[i];
        Rda = this.col2im(Rdcols, B, g);
      }
    }
    return out;
  }
}

/**
 * The gradient of the (weighted) mean cross-entropy with respect to the logits, from the
 * softmax p [B, way]: w_b (p - onehot(label)) / B, into `out`.
 */
export function crossEntropyLogitGradient(
  p: ArrayLike<number>,
  labels: Int32Array,
  B: number,
  way: number,
  weights: ArrayLike<number> | undefined,
  out: Vec,
): Vec {
  for (let b = 0; b < B; b++) {
    const w = weights ? weights[b] : 1;
    for (let n = 0; n < way; n++) out[b * way + n] = (w * (p[b * way + n] - (n === labels[b] ? 1 : 0))) / B;
  }
  return out;
}

/**
 * 1 when the label has the largest logit, and 1/m when it shares the largest with m - 1
 * others (the zero head before adaptation: every class ties, so chance, 1/N, as a
 * random tie-break would score on average).
 */
export function credit(logits: ArrayLike<number>, offset: number, way: number, max: number, label: number): number {
  if (logits[offset + label] !== max) return 0;
  let count = 0;
  for (let n = 0; n < way; n++) if (logits[offset + n] === max) count++;
  return 1 / count;
}

/** He-uniform convolution weights, gamma 1, beta 0, as float32 arrays. */
export function initBody(shape: ConvNetShape, uniform: () => number): Float32Array[] {
  return blockGeometry(shape).flatMap((g) => {
    const fanIn = 9 * g.cin;
    const bound = Math.sqrt(6 / fanIn);
    const W = new Float32Array(fanIn * g.c).map(() => (2 * uniform() - 1) * bound);
    return [W, new Float32Array(g.c).fill(1), new Float32Array(g.c)];
  });
}
