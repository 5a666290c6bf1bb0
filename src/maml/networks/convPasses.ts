/**
 * The memory-bound passes of the conv-4 network (convNet.ts) around its matrix products:
 * batch norm + ReLU forward and backward, im2col and its adjoint. One small interface with
 * two implementations: plain JavaScript loops (here: any float array, the float64
 * reference) and WebAssembly with 128-bit SIMD (convPassesSimd.ts, built from
 * wasm/convPasses.ts), which computes the same arithmetic on float32 arrays, so the two
 * agree bit for bit. Activations are [M, C] row-major (C channels innermost); the batch's
 * statistics are per channel, in float64.
 */
import type { Vec } from './gemm';

export const BN_EPSILON = 1e-5;

type Ctor = { new (n: number): Vec };

export interface BatchNormForward {
  /** The batch's statistics per channel: mean and biased variance of z (what a frozen batch norm would keep). */
  mean: Float64Array;
  variance: Float64Array;
  /** sqrt(variance + eps), in the activations' type. */
  s: Vec;
  xhat: Vec;
  /** After ReLU; where it is positive is the ReLU's gate (pre-activation > 0). */
  a: Vec;
}

export interface BatchNormBackward {
  /** The gradient at the ReLU's input (= d beta-shifted output), gamma times it, and at z. */
  dh: Vec;
  dxhat: Vec;
  dz: Vec;
  /** mean(dxhat * xhat) per channel, in the activations' type. */
  m2: Vec;
  /** Per channel: sum(dh) (= dbeta) and sum(dh * xhat) (= dgamma), in float64. */
  sb: Float64Array;
  sg: Float64Array;
}

export interface ConvPasses {
  readonly name: 'js' | 'wasm-simd';
  /**
   * im2col by a gather index (for each output position and kernel offset, the offset of the
   * input pixel's first channel, or -1 in the padding): cols [idx.length, cin].
   */
  im2col(x: Vec, idx: Int32Array, cin: number): Vec;
  /** Its adjoint: scatter-adds the columns back onto an input of `length` values. */
  col2im(cols: Vec, idx: Int32Array, cin: number, length: number): Vec;
  /** Batch norm with the batch's statistics, then ReLU: a = max(gamma (z - mean) / s + beta, 0). */
  forward(z: Vec, gamma: Vec, beta: Vec, M: number, C: number): BatchNormForward;
  /** Backpropagation through the ReLU (gate a > 0) and the batch norm from da to dz. */
  backward(da: Vec, a: Vec, xhat: Vec, gamma: Vec, s: Vec, M: number, C: number): BatchNormBackward;
}

export const jsConvPasses: ConvPasses = {
  name: 'js',
  im2col(x, idx, cin) {
    const cols = new (x.constructor as Ctor)(idx.length * cin);
    for (let p = 0; p < idx.length; p++) {
      const src = idx[p];
      if (src < 0) continue;
      const dst = p * cin;
      for (let c = 0; c < cin; c++) cols[dst + c] = x[src + c];
    }
    return cols;
  },
  col2im(cols, idx, cin, length) {
    const x = new (cols.constructor as Ctor)(length);
    for (let p = 0; p < idx.length; p++) {
      const dst = idx[p];
      if (dst < 0) continue;
      const src = p * cin;
      for (let c = 0; c < cin; c++) x[dst + c] += cols[src + c];
    }
    return x;
  },
  forward(z, gamma, beta, M, C) {
    const F = z.constructor as Ctor;
    const n = M * C;
    const mean = new Float64Array(C);
    const sq = new Float64Array(C);
    for (let o = 0; o < n; o += C) for (let c = 0; c < C; c++) mean[c] += z[o + c];
    for (let c = 0; c < C; c++) mean[c] /= M;
    for (let o = 0; o < n; o += C) {
      for (let c = 0; c < C; c++) {
        const d = z[o + c] - mean[c];
        sq[c] += d * d;
      }
    }
    const variance = Float64Array.from(sq, (v) => v / M);
    const s = new F(C);
    const inv = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      s[c] = Math.sqrt(variance[c] + BN_EPSILON);
      inv[c] = 1 / s[c];
    }
    const xhat = new F(n);
    const a = new F(n);
    for (let o = 0; o < n; o += C) {
      for (let c = 0; c < C; c++) {
        const i = o + c;
        const xh = (z[i] - mean[c]) * inv[c];
        xhat[i] = xh;
        const hv = gamma[c] * xh + beta[c];
        // ReLU without a branch (exactly max(hv, 0)): about half the gates are open, so a
        // branch is mispredicted at every other element (this pass at 4900 x 32 took 2.1 ms
        // with the branch, 0.6 ms without).
        a[i] = (hv + Math.abs(hv)) * 0.5;
      }
    }
    return { mean, variance, s, xhat, a };
  },
  backward(da, A, X, gamma, s, M, C) {
    const F = da.constructor as Ctor;
    const n = M * C;
    const dh = new F(n);
    const dxhat = new F(n);
    const sb = new Float64Array(C);
    const sg = new Float64Array(C);
    for (let o = 0; o < n; o += C) {
      for (let c = 0; c < C; c++) {
        const i = o + c;
        const d = da[i] * +(A[i] > 0); // the ReLU's gate, branch-free as in forward
        dh[i] = d;
        sb[c] += d;
        sg[c] += d * X[i];
        dxhat[i] = gamma[c] * d;
      }
    }
    // mean(dxhat) and mean(dxhat * xhat) over the batch, and 1/s.
    const m1 = new Float64Array(C);
    const m2 = new F(C);
    const inv = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      m1[c] = (gamma[c] * sb[c]) / M;
      m2[c] = (gamma[c] * sg[c]) / M;
      inv[c] = 1 / s[c];
    }
    const dz = new F(n);
    for (let o = 0; o < n; o += C) {
      for (let c = 0; c < C; c++) {
        const i = o + c;
        dz[i] = (dxhat[i] - m1[c] - X[i] * m2[c]) * inv[c];
      }
    }
    return { dh, dxhat, dz, m2, sb, sg };
  },
};
