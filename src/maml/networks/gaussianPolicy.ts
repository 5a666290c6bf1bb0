/**
 * The Gaussian policy: an MLP (ReLU hidden layers) gives the mean action, and a learned
 * log standard deviation per action dimension, independent of the state, gives the spread:
 *   pi(a | x) = N(a; mu(x), diag(exp(2 s))).
 * Parameters [W0, b0, ..., W_L, b_L, s], W_l row-major [in, out].
 *
 * Everything the learner needs is written out by hand over flat arrays (float32 for training,
 * float64 for the reference tests), with no tfjs autodiff (several tfjs gradients drop the
 * second-order term of exp, which the log-std needs):
 *  - gradient of the weighted log-likelihood loss L = -(1/N) sum_n w_n log pi(a_n | x_n), with the
 *    weights w_n held fixed (advantages, or advantages times importance ratios);
 *  - its Hessian-vector product H v by Pearlmutter's R-operator (forward-mode through forward
 *    and backward). With u = (a - mu) / sigma^2:
 *      dL/dmu_n   = -(w_n / N) u_n,                 R{dL/dmu_n} = (w_n / N) (R mu_n + 2 (a_n - mu_n) v_s) / sigma^2
 *      dL/ds_j    = -(1/N) sum_n w_n ((a - mu)^2 / sigma^2 - 1)
 *      R{dL/ds_j} = (2/N) sum_n w_n ((a - mu) R mu + (a - mu)^2 v_s) / sigma^2
 *    and through the layers as in sinusoid/fusedMaml.ts (R gW_l = Rh_l^T dz_l + h_l^T Rdz_l, ...).
 *    The ReLU masks are constant almost everywhere, so they come from the plain forward pass.
 * Matrix products go through a Gemm (plain JavaScript, or tfjs's wasm matMul for float32).
 */
import { jsGemm, type Gemm, type Vec } from './gemm';
import type { Rng } from '../random';

export type Params = Vec[];

export function policyShapes(sizes: number[]): number[][] {
  const shapes: number[][] = [];
  for (let l = 0; l + 1 < sizes.length; l++) shapes.push([sizes[l], sizes[l + 1]], [sizes[l + 1]]);
  shapes.push([sizes[sizes.length - 1]]);
  return shapes;
}

export function parameterCount(sizes: number[]): number {
  return policyShapes(sizes).reduce((a, s) => a + s.reduce((x, y) => x * y, 1), 0);
}

/**
 * Glorot-uniform weights, zero biases, the output layer scaled down by 10 (so the initial mean
 * action is near zero), log-std initLogStd.
 */
export function initPolicy(sizes: number[], rng: Rng, initLogStd = 0): Float32Array[] {
  const params: Float32Array[] = [];
  const L = sizes.length - 1;
  for (let l = 0; l < L; l++) {
    const [fi, fo] = [sizes[l], sizes[l + 1]];
    const lim = Math.sqrt(6 / (fi + fo)) * (l === L - 1 ? 0.1 : 1);
    const W = new Float32Array(fi * fo);
    for (let i = 0; i < W.length; i++) W[i] = rng.uniform(-lim, lim);
    params.push(W, new Float32Array(fo));
  }
  params.push(new Float32Array(sizes[L]).fill(initLogStd));
  return params;
}

/** The forward pass kept for the backward and R passes: every layer's input (h[0] = x) and the mean. */
export interface PolicyCache {
  n: number;
  /** h[l]: the input of layer l, [n, sizes[l]]; h[0] is the observation. */
  h: Vec[];
  /** The mean action, [n, actDim]. */
  mean: Vec;
}

const LOG_2PI = Math.log(2 * Math.PI);

function like(p: Vec, n: number): Vec {
  return new (p.constructor as typeof Float64Array)(n);
}

/**
 * Products below this many multiply-adds, or with a side of at most 4 (the 2-D input and output
 * layers), run in plain JavaScript even when a faster Gemm is given: tfjs's fixed cost per call
 * (tensor creation, read-back) outweighs its speed there. Rollouts are mostly such products.
 */
const SMALL_PRODUCT = 400_000;

export class GaussianMlp {
  readonly layers: number;
  readonly gemm: Gemm;
  constructor(
    readonly sizes: number[],
    gemm: Gemm = jsGemm,
  ) {
    this.layers = sizes.length - 1;
    this.gemm =
      gemm === jsGemm
        ? gemm
        : {
            name: `${gemm.name}+js`,
            mul: (a, b, m, k, n, tA, tB) =>
              m * k * n < SMALL_PRODUCT || Math.min(m, k, n) <= 4 ? jsGemm.mul(a, b, m, k, n, tA, tB) : gemm.mul(a, b, m, k, n, tA, tB),
          };
  }

  get obsDim(): number {
    return this.sizes[0];
  }

  get actDim(): number {
    return this.sizes[this.layers];
  }

  logStd(params: Params): Vec {
    return params[2 * this.layers];
  }

  /** Mean actions for n observations [n, obsDim]. */
  forward(params: Params, obs: ArrayLike<number>, n: number): PolicyCache {
    const { sizes, layers, gemm } = this;
    const x = like(params[0], n * sizes[0]);
    for (let i = 0; i < x.length; i++) x[i] = obs[i];
    const h: Vec[] = [x];
    let cur = x;
    for (let l = 0; l < layers; l++) {
      const dout = sizes[l + 1];
      const z = gemm.mul(cur, params[2 * l], n, sizes[l], dout, false, false);
      const b = params[2 * l + 1];
      const relu = l < layers - 1;
      for (let i = 0; i < n; i++) {
        const o = i * dout;
        for (let j = 0; j < dout; j++) {
          const s = z[o + j] + b[j];
          z[o + j] = relu && s < 0 ? 0 : s;
        }
      }
      if (relu) h.push(z);
      cur = z;
    }
    return { n, h, mean: cur };
  }

  /** Samples actions a = mu + sigma eps into out [n, actDim] (float64), from the rng. */
  sample(params: Params, cache: PolicyCache, rng: Rng, out: Float64Array): void {
    const s = this.logStd(params);
    const d = this.actDim;
    for (let i = 0; i < cache.n; i++) for (let j = 0; j < d; j++) out[i * d + j] = cache.mean[i * d + j] + Math.exp(s[j]) * rng.normal();
  }

  /** log pi(a_n | x_n) for each sample, into a new Float64Array [n]. */
  logProb(params: Params, cache: PolicyCache, actions: ArrayLike<number>): Float64Array {
    const s = this.logStd(params);
    const d = this.actDim;
    const out = new Float64Array(cache.n);
    for (let i = 0; i < cache.n; i++) {
      let lp = 0;
      for (let j = 0; j < d; j++) {
        const u = (actions[i * d + j] - cache.mean[i * d + j]) * Math.exp(-s[j]);
        lp += -0.5 * u * u - s[j] - 0.5 * LOG_2PI;
      }
      out[i] = lp;
    }
    return out;
  }

  /** Backpropagates dz (the gradient at the last layer's output) into grads (weights and biases). */
  private backward(params: Params, cache: PolicyCache, dOut: Vec, grads: Vec[]): void {
    const { sizes, layers, gemm } = this;
    const n = cache.n;
    let dz = dOut;
    for (let l = layers - 1; l >= 0; l--) {
      const din = sizes[l];
      const dout = sizes[l + 1];
      const gW = gemm.mul(cache.h[l], dz, din, n, dout, true, false);
      grads[2 * l].set(gW);
      const gb = grads[2 * l + 1];
      gb.fill(0);
      for (let i = 0; i < n; i++) for (let j = 0; j < dout; j++) gb[j] += dz[i * dout + j];
      if (l > 0) {
        const dh = gemm.mul(dz, params[2 * l], n, dout, din, false, true);
        const h = cache.h[l];
        for (let i = 0; i < dh.length; i++) if (h[i] <= 0) dh[i] = 0;
        dz = dh;
      }
    }
  }

  /**
   * Gradient of L = -(1/N) sum_n w_n log pi(a_n | x_n) (N = normaliser, usually n) with respect
   * to every parameter, in new arrays of the parameters' type.
   */
  lossGradient(params: Params, cache: PolicyCache, actions: ArrayLike<number>, weights: ArrayLike<number>, normaliser: number): Vec[] {
    const d = this.actDim;
    const n = cache.n;
    const s = this.logStd(params);
    const grads = params.map((p) => like(p, p.length));
    const dMean = like(params[0], n * d);
    const gs = grads[2 * this.layers];
    for (let i = 0; i < n; i++) {
      const w = weights[i] / normaliser;
      for (let j = 0; j < d; j++) {
        const inv = Math.exp(-2 * s[j]);
        const e = actions[i * d + j] - cache.mean[i * d + j];
        dMean[i * d + j] = -w * e * inv;
        gs[j] += -w * (e * e * inv - 1);
      }
    }
    this.backward(params, cache, dMean, grads);
    return grads;
  }

  /** The loss itself, -(1/N) sum_n w_n log pi(a_n | x_n). */
  loss(params: Params, cache: PolicyCache, actions: ArrayLike<number>, weights: ArrayLike<number>, normaliser: number): number {
    const lp = this.logProb(params, cache, actions);
    let s = 0;
    for (let i = 0; i < cache.n; i++) s -= weights[i] * lp[i];
    return s / normaliser;
  }

  /** Hessian-vector product H v of the same loss at params (cache from forward at params). */
  hvp(params: Params, cache: PolicyCache, actions: ArrayLike<number>, weights: ArrayLike<number>, normaliser: number, v: Vec[]): Vec[] {
    const { sizes, layers, gemm } = this;
    const n = cache.n;
    const d = this.actDim;
    const s = this.logStd(params);
    const vs = v[2 * layers];
    // R-forward: R h_l for every layer input (R h_0 = 0) and R mu.
    const Rh: (Vec | null)[] = [null];
    let Rcur: Vec | null = null;
    for (let l = 0; l < layers; l++) {
      const din = sizes[l];
      const dout = sizes[l + 1];
      const Rz = gemm.mul(cache.h[l], v[2 * l], n, din, dout, false, false);
      if (Rcur !== null) {
        const t = gemm.mul(Rcur, params[2 * l], n, din, dout, false, false);
        for (let i = 0; i < Rz.length; i++) Rz[i] += t[i];
      }
      const vb = v[2 * l + 1];
      for (let i = 0; i < n; i++) for (let j = 0; j < dout; j++) Rz[i * dout + j] += vb[j];
      if (l < layers - 1) {
        const h = cache.h[l + 1];
        for (let i = 0; i < Rz.length; i++) if (h[i] <= 0) Rz[i] = 0;
        Rh.push(Rz);
      }
      Rcur = Rz;
    }
    const Rmean = Rcur!;
    // The output layer's gradient and its R counterpart.
    const dz0 = like(params[0], n * d);
    const Rdz0 = like(params[0], n * d);
    const out = params.map((p) => like(p, p.length));
    const Rgs = out[2 * layers];
    for (let i = 0; i < n; i++) {
      const w = weights[i] / normaliser;
      for (let j = 0; j < d; j++) {
        const inv = Math.exp(-2 * s[j]);
        const k = i * d + j;
        const e = actions[k] - cache.mean[k];
        dz0[k] = -w * e * inv;
        Rdz0[k] = w * (Rmean[k] + 2 * e * vs[j]) * inv;
        Rgs[j] += 2 * w * (e * Rmean[k] + e * e * vs[j]) * inv;
      }
    }
    // R-backward through the layers.
    let dz = dz0;
    let Rdz = Rdz0;
    for (let l = layers - 1; l >= 0; l--) {
      const din = sizes[l];
      const dout = sizes[l + 1];
      const RgW = gemm.mul(cache.h[l], Rdz, din, n, dout, true, false);
      const Rhl = Rh[l];
      if (Rhl !== null) {
        const t = gemm.mul(Rhl, dz, din, n, dout, true, false);
        for (let i = 0; i < RgW.length; i++) RgW[i] += t[i];
      }
      out[2 * l].set(RgW);
      const Rgb = out[2 * l + 1];
      for (let i = 0; i < n; i++) for (let j = 0; j < dout; j++) Rgb[j] += Rdz[i * dout + j];
      if (l > 0) {
        const h = cache.h[l];
        const dh = gemm.mul(dz, params[2 * l], n, dout, din, false, true);
        const Rdh = gemm.mul(Rdz, params[2 * l], n, dout, din, false, true);
        const t = gemm.mul(dz, v[2 * l], n, dout, din, false, true);
        for (let i = 0; i < Rdh.length; i++) {
          if (h[i] <= 0) {
            dh[i] = 0;
            Rdh[i] = 0;
          } else Rdh[i] += t[i];
        }
        dz = dh;
        Rdz = Rdh;
      }
    }
    return out;
  }
}
