/**
 * A hand-written float32 MAML meta-iteration for a small fully connected ReLU MLP,
 * in plain loops over Float32Array with no tfjs. tfjs pays a fixed cost per op,
 * which dominates for networks this small; here one meta-iteration is a few
 * million multiply-adds with no allocation.
 *
 * Network: h_0 = x, z_l = h_l W_l + b_l, h_{l+1} = relu(z_l) for hidden layers,
 * output z_{L-1} (linear). Loss: mean squared error over all output elements.
 * Parameters [W0, b0, W1, b1, ...], W_l row-major [in, out], b_l [out] (mlpShapes).
 *
 * Second-order MAML backpropagates through the inner steps with Hessian-vector
 * products computed by Pearlmutter's R-operator (R{f} = d/dr f(theta + r v) at r = 0):
 *
 *   R-forward:  Rz_l = Rh_l W_l + h_l V_Wl + V_bl,   Rh_{l+1} = Rz_l * [z_l > 0],   Rh_0 = 0
 *   R-backward: Rdz_out = 2 Rout / n
 *               R gW_l = Rh_l^T dz_l + h_l^T Rdz_l,  R gb_l = colsum(Rdz_l)
 *               Rdz_{l-1} = (Rdz_l W_l^T + dz_l V_Wl^T) * [z_{l-1} > 0]
 *
 * giving H v = (R gW_l, R gb_l). The ReLU masks are constant almost everywhere (its
 * second derivative is zero), so they are reused from the plain forward pass.
 *
 * Speed (see the kernel section): register-blocked loops that visit only the nonzero
 * ReLU activations, and, for a scalar input, layer 1 at theta tabulated as a piecewise-
 * linear function of x (ScalarInputTable). Work buffers are allocated once.
 */
import { mlpShapes } from '../networks/mlp';
import type { RegressionBatch } from './tasks';
import { arrayAlgebra, mamlGradient, type MamlTask } from '../algorithm/maml';

export interface FusedMamlOptions {
  /** Inner-loop learning rate. */
  alpha: number;
  /** Number of inner gradient steps on each task's support set. */
  steps: number;
  /** 2: exact second-order MAML; 1: first-order MAML (the query gradient at the adapted parameters). */
  order: 2 | 1;
}

export interface FusedMamlResult {
  /** Gradient of postLoss with respect to theta (order 2), or its first-order approximation. */
  grads: Float32Array[];
  /** Mean over tasks of the query MSE at theta, before adaptation. */
  preLoss: number;
  /** Mean over tasks of the query MSE after the inner steps. */
  postLoss: number;
}

// ---------------------------------------------------------------------------
// Dense-layer kernels. h is the layer input [n, din], W [din, dout], b [dout],
// z / dz / Rz / Rdz are [n, dout], all row-major.
//
// Speed: a plain `z[o] += a * W[k, o]` loop pays a load, a store and loop overhead per
// multiply-add. Instead the kernels are register-blocked: 8 outputs (or 4 rows of W)
// accumulate in local variables, which the JIT keeps in registers, as independent
// chains of additions, so one pass over a row of W (or dz) feeds several sums at once.
// Only the nonzero inputs are visited: after a ReLU about half of them are zero, and
// the gradient at a hidden layer's pre-activation is zero wherever its ReLU output is.
// Their positions (Sparsity) are listed by row in the forward pass and by column in
// the backward pass, and reused by every later kernel on that pass's activations.
// ---------------------------------------------------------------------------

/** Output block: the number of accumulators the kernels keep in registers. */
const BLOCK = 8;

/** Where a layer input h [n, d] is nonzero, listed by rows and by columns. */
interface Sparsity {
  /** For row i: the columns k with h[i, k] != 0 are rows[i * d + j], j < rowCount[i]. */
  rows: Int32Array;
  rowCount: Int32Array;
  /** For column k: the rows i with h[i, k] != 0 are cols[k * n + j], j < colCount[k]. */
  cols: Int32Array;
  colCount: Int32Array;
}

function makeSparsity(n: number, d: number): Sparsity {
  return {
    rows: new Int32Array(n * d),
    rowCount: new Int32Array(n),
    cols: new Int32Array(d * n),
    colCount: new Int32Array(d),
  };
}

/** Lists the nonzero columns of each row of h [n, d] (sp.rows, sp.rowCount). */
function indexRows(h: Float32Array, n: number, d: number, sp: Sparsity): void {
  const { rows, rowCount } = sp;
  for (let i = 0; i < n; i++) {
    const hi = i * d;
    let m = 0;
    // Branch-free: about half the entries are zero, in no predictable pattern.
    for (let k = 0; k < d; k++) {
      rows[hi + m] = k;
      m += +(h[hi + k] !== 0);
    }
    rowCount[i] = m;
  }
}

/** Lists the nonzero rows of each column (sp.cols, sp.colCount) from the row lists. */
function indexColumns(n: number, d: number, sp: Sparsity): void {
  const { rows, rowCount, cols, colCount } = sp;
  colCount.fill(0);
  for (let i = 0; i < n; i++) {
    const hi = i * d;
    const m = rowCount[i];
    for (let j = 0; j < m; j++) {
      const k = rows[hi + j];
      cols[k * n + colCount[k]++] = i;
    }
  }
}

/** z = h W + b; ReLU'd in place when relu is set (z then holds h_{l+1}). */
function denseForward(
  h: Float32Array,
  sp: Sparsity,
  W: Float32Array,
  b: Float32Array,
  z: Float32Array,
  n: number,
  din: number,
  dout: number,
  relu: boolean,
): void {
  if (din === 1) {
    // A scalar input (the first layer): an outer product.
    for (let i = 0; i < n; i++) {
      const a = h[i];
      const zi = i * dout;
      for (let o = 0; o < dout; o++) {
        const s = b[o] + a * W[o];
        z[zi + o] = relu && s < 0 ? 0 : s;
      }
    }
    return;
  }
  const { rows, rowCount } = sp;
  for (let i = 0; i < n; i++) {
    const hi = i * din;
    const zi = i * dout;
    const m = rowCount[i];
    let o = 0;
    for (; o + BLOCK <= dout; o += BLOCK) {
      let s0 = b[o],
        s1 = b[o + 1],
        s2 = b[o + 2],
        s3 = b[o + 3];
      let s4 = b[o + 4],
        s5 = b[o + 5],
        s6 = b[o + 6],
        s7 = b[o + 7];
      for (let j = 0; j < m; j++) {
        const k = rows[hi + j];
        const a = h[hi + k];
        const w = k * dout + o;
        s0 += a * W[w];
        s1 += a * W[w + 1];
        s2 += a * W[w + 2];
        s3 += a * W[w + 3];
        s4 += a * W[w + 4];
        s5 += a * W[w + 5];
        s6 += a * W[w + 6];
        s7 += a * W[w + 7];
      }
      if (relu) {
        z[zi + o] = s0 < 0 ? 0 : s0;
        z[zi + o + 1] = s1 < 0 ? 0 : s1;
        z[zi + o + 2] = s2 < 0 ? 0 : s2;
        z[zi + o + 3] = s3 < 0 ? 0 : s3;
        z[zi + o + 4] = s4 < 0 ? 0 : s4;
        z[zi + o + 5] = s5 < 0 ? 0 : s5;
        z[zi + o + 6] = s6 < 0 ? 0 : s6;
        z[zi + o + 7] = s7 < 0 ? 0 : s7;
      } else {
        z[zi + o] = s0;
        z[zi + o + 1] = s1;
        z[zi + o + 2] = s2;
        z[zi + o + 3] = s3;
        z[zi + o + 4] = s4;
        z[zi + o + 5] = s5;
        z[zi + o + 6] = s6;
        z[zi + o + 7] = s7;
      }
    }
    for (; o < dout; o++) {
      let s = b[o];
      for (let j = 0; j < m; j++) {
        const k = rows[hi + j];
        s += h[hi + k] * W[k * dout + o];
      }
      z[zi + o] = relu && s < 0 ? 0 : s;
    }
  }
}

/**
 * R-forward through one layer: Rz = Rh W + h VW + Vb. Rh === null means Rh = 0 (the
 * input layer). Only inputs with h != 0 are visited: for a hidden input, Rh = 0 wherever
 * h = 0. For a hidden layer, outSp is the sparsity of its ReLU output: Rz is masked by
 * it, so only the unmasked outputs (about half) are computed, 4 at a time.
 */
function denseRForward(
  h: Float32Array,
  Rh: Float32Array | null,
  sp: Sparsity,
  outSp: Sparsity | null,
  W: Float32Array,
  VW: Float32Array,
  Vb: Float32Array,
  Rz: Float32Array,
  n: number,
  din: number,
  dout: number,
): void {
  const { rows, rowCount } = sp;
  for (let i = 0; i < n; i++) {
    const hi = i * din;
    const zi = i * dout;
    const m = rowCount[i];
    if (outSp === null) {
      // Every output (the regression head).
      let o = 0;
      for (; o + BLOCK <= dout; o += BLOCK) {
        let s0 = Vb[o],
          s1 = Vb[o + 1],
          s2 = Vb[o + 2],
          s3 = Vb[o + 3];
        let s4 = Vb[o + 4],
          s5 = Vb[o + 5],
          s6 = Vb[o + 6],
          s7 = Vb[o + 7];
        for (let j = 0; j < m; j++) {
          const k = rows[hi + j];
          const a = h[hi + k];
          const c = Rh === null ? 0 : Rh[hi + k];
          const w = k * dout + o;
          s0 += a * VW[w] + c * W[w];
          s1 += a * VW[w + 1] + c * W[w + 1];
          s2 += a * VW[w + 2] + c * W[w + 2];
          s3 += a * VW[w + 3] + c * W[w + 3];
          s4 += a * VW[w + 4] + c * W[w + 4];
          s5 += a * VW[w + 5] + c * W[w + 5];
          s6 += a * VW[w + 6] + c * W[w + 6];
          s7 += a * VW[w + 7] + c * W[w + 7];
        }
        Rz[zi + o] = s0;
        Rz[zi + o + 1] = s1;
        Rz[zi + o + 2] = s2;
        Rz[zi + o + 3] = s3;
        Rz[zi + o + 4] = s4;
        Rz[zi + o + 5] = s5;
        Rz[zi + o + 6] = s6;
        Rz[zi + o + 7] = s7;
      }
      for (; o < dout; o++) {
        let s = Vb[o];
        for (let j = 0; j < m; j++) {
          const k = rows[hi + j];
          const w = k * dout + o;
          s += h[hi + k] * VW[w] + (Rh === null ? 0 : Rh[hi + k] * W[w]);
        }
        Rz[zi + o] = s;
      }
      continue;
    }
    // A hidden layer: the outputs o = outs[zi + p], p < mo, where its ReLU is active.
    const outs = outSp.rows;
    const mo = outSp.rowCount[i];
    for (let o = 0; o < dout; o++) Rz[zi + o] = 0;
    if (din === 1) {
      // A scalar input (the first layer): outer products.
      const a = h[i];
      const c = Rh === null ? 0 : Rh[i];
      for (let p = 0; p < mo; p++) {
        const o = outs[zi + p];
        Rz[zi + o] = Vb[o] + a * VW[o] + c * W[o];
      }
      continue;
    }
    let p = 0;
    for (; p + 4 <= mo; p += 4) {
      const o0 = outs[zi + p],
        o1 = outs[zi + p + 1],
        o2 = outs[zi + p + 2],
        o3 = outs[zi + p + 3];
      let s0 = Vb[o0],
        s1 = Vb[o1],
        s2 = Vb[o2],
        s3 = Vb[o3];
      for (let j = 0; j < m; j++) {
        const k = rows[hi + j];
        const a = h[hi + k];
        const c = Rh === null ? 0 : Rh[hi + k];
        const w = k * dout;
        s0 += a * VW[w + o0] + c * W[w + o0];
        s1 += a * VW[w + o1] + c * W[w + o1];
        s2 += a * VW[w + o2] + c * W[w + o2];
        s3 += a * VW[w + o3] + c * W[w + o3];
      }
      Rz[zi + o0] = s0;
      Rz[zi + o1] = s1;
      Rz[zi + o2] = s2;
      Rz[zi + o3] = s3;
    }
    for (; p < mo; p++) {
      const o = outs[zi + p];
      let s = Vb[o];
      for (let j = 0; j < m; j++) {
        const k = rows[hi + j];
        const w = k * dout + o;
        s += h[hi + k] * VW[w] + (Rh === null ? 0 : Rh[hi + k] * W[w]);
      }
      Rz[zi + o] = s;
    }
  }
}

/**
 * Weight gradient of one layer, gW += h^T dz + r^T dr (the second term only when r and
 * dr are given), row k of gW at a time from the rows i with h[i, k] != 0 (where h = 0,
 * a hidden r is 0 too). 8 entries of the row of gW stay in registers over those rows.
 */
function weightGrad(
  h: Float32Array,
  sp: Sparsity,
  dz: Float32Array,
  r: Float32Array | null,
  dr: Float32Array | null,
  gW: Float32Array,
  n: number,
  din: number,
  dout: number,
): void {
  const { cols, colCount } = sp;
  const two = r !== null && dr !== null;
  for (let k = 0; k < din; k++) {
    const m = colCount[k];
    if (m === 0) continue;
    const ck = k * n;
    const wk = k * dout;
    let o = 0;
    for (; o + BLOCK <= dout; o += BLOCK) {
      const w = wk + o;
      let s0 = gW[w],
        s1 = gW[w + 1],
        s2 = gW[w + 2],
        s3 = gW[w + 3];
      let s4 = gW[w + 4],
        s5 = gW[w + 5],
        s6 = gW[w + 6],
        s7 = gW[w + 7];
      if (two) {
        for (let j = 0; j < m; j++) {
          const i = cols[ck + j];
          const a = h[i * din + k];
          const c = r[i * din + k];
          const d = i * dout + o;
          s0 += a * dz[d] + c * dr[d];
          s1 += a * dz[d + 1] + c * dr[d + 1];
          s2 += a * dz[d + 2] + c * dr[d + 2];
          s3 += a * dz[d + 3] + c * dr[d + 3];
          s4 += a * dz[d + 4] + c * dr[d + 4];
          s5 += a * dz[d + 5] + c * dr[d + 5];
          s6 += a * dz[d + 6] + c * dr[d + 6];
          s7 += a * dz[d + 7] + c * dr[d + 7];
        }
      } else {
        for (let j = 0; j < m; j++) {
          const i = cols[ck + j];
          const a = h[i * din + k];
          const d = i * dout + o;
          s0 += a * dz[d];
          s1 += a * dz[d + 1];
          s2 += a * dz[d + 2];
          s3 += a * dz[d + 3];
          s4 += a * dz[d + 4];
          s5 += a * dz[d + 5];
          s6 += a * dz[d + 6];
          s7 += a * dz[d + 7];
        }
      }
      gW[w] = s0;
      gW[w + 1] = s1;
      gW[w + 2] = s2;
      gW[w + 3] = s3;
      gW[w + 4] = s4;
      gW[w + 5] = s5;
      gW[w + 6] = s6;
      gW[w + 7] = s7;
    }
    for (; o < dout; o++) {
      let s = gW[wk + o];
      for (let j = 0; j < m; j++) {
        const i = cols[ck + j];
        const d = i * dout + o;
        s += h[i * din + k] * dz[d] + (two ? r[i * din + k] * dr[d] : 0);
      }
      gW[wk + o] = s;
    }
  }
}

/** gb += column sums of dz [n, dout]. */
function biasGrad(dz: Float32Array, gb: Float32Array, n: number, dout: number): void {
  for (let i = 0; i < n; i++) {
    const zi = i * dout;
    for (let o = 0; o < dout; o++) gb[o] += dz[zi + o];
  }
}

/**
 * Gradient at the previous layer's pre-activation: dh = (dz W^T) * [h > 0]; h is a ReLU
 * output, so h > 0 exactly where h != 0. Only the outputs listed in outs (where dz can be
 * nonzero: a hidden layer's active ReLUs, or all outputs of the head) are summed over.
 * Four rows of W at a time share each load of dz.
 */
function inputGrad(
  sp: Sparsity,
  outs: Sparsity,
  dz: Float32Array,
  W: Float32Array,
  dh: Float32Array,
  n: number,
  din: number,
  dout: number,
): void {
  const { rows, rowCount } = sp;
  const oRows = outs.rows;
  for (let i = 0; i < n; i++) {
    const hi = i * din;
    const zi = i * dout;
    for (let k = 0; k < din; k++) dh[hi + k] = 0;
    const m = rowCount[i];
    const mo = outs.rowCount[i];
    let j = 0;
    for (; j + 4 <= m; j += 4) {
      const k0 = rows[hi + j],
        k1 = rows[hi + j + 1],
        k2 = rows[hi + j + 2],
        k3 = rows[hi + j + 3];
      const w0 = k0 * dout,
        w1 = k1 * dout,
        w2 = k2 * dout,
        w3 = k3 * dout;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let q = 0; q < mo; q++) {
        const o = oRows[zi + q];
        const d = dz[zi + o];
        s0 += d * W[w0 + o];
        s1 += d * W[w1 + o];
        s2 += d * W[w2 + o];
        s3 += d * W[w3 + o];
      }
      dh[hi + k0] = s0;
      dh[hi + k1] = s1;
      dh[hi + k2] = s2;
      dh[hi + k3] = s3;
    }
    for (; j < m; j++) {
      const k = rows[hi + j];
      const w = k * dout;
      let s = 0;
      for (let q = 0; q < mo; q++) {
        const o = oRows[zi + q];
        s += dz[zi + o] * W[w + o];
      }
      dh[hi + k] = s;
    }
  }
}

/** The R-backward counterpart of inputGrad: dh = (dz W^T + dr V^T) * [h > 0]. */
function inputGradR(
  sp: Sparsity,
  outs: Sparsity,
  dz: Float32Array,
  W: Float32Array,
  dr: Float32Array,
  V: Float32Array,
  dh: Float32Array,
  n: number,
  din: number,
  dout: number,
): void {
  const { rows, rowCount } = sp;
  const oRows = outs.rows;
  for (let i = 0; i < n; i++) {
    const hi = i * din;
    const zi = i * dout;
    for (let k = 0; k < din; k++) dh[hi + k] = 0;
    const m = rowCount[i];
    const mo = outs.rowCount[i];
    let j = 0;
    for (; j + 4 <= m; j += 4) {
      const k0 = rows[hi + j],
        k1 = rows[hi + j + 1],
        k2 = rows[hi + j + 2],
        k3 = rows[hi + j + 3];
      const w0 = k0 * dout,
        w1 = k1 * dout,
        w2 = k2 * dout,
        w3 = k3 * dout;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      let t0 = 0,
        t1 = 0,
        t2 = 0,
        t3 = 0;
      for (let q = 0; q < mo; q++) {
        const o = oRows[zi + q];
        const d = dz[zi + o];
        const e = dr[zi + o];
        s0 += d * W[w0 + o];
        s1 += d * W[w1 + o];
        s2 += d * W[w2 + o];
        s3 += d * W[w3 + o];
        t0 += e * V[w0 + o];
        t1 += e * V[w1 + o];
        t2 += e * V[w2 + o];
        t3 += e * V[w3 + o];
      }
      dh[hi + k0] = s0 + t0;
      dh[hi + k1] = s1 + t1;
      dh[hi + k2] = s2 + t2;
      dh[hi + k3] = s3 + t3;
    }
    for (; j < m; j++) {
      const k = rows[hi + j];
      const w = k * dout;
      let s = 0;
      for (let q = 0; q < mo; q++) {
        const o = oRows[zi + q];
        s += dz[zi + o] * W[w + o] + dr[zi + o] * V[w + o];
      }
      dh[hi + k] = s;
    }
  }
}

// ---------------------------------------------------------------------------

/**
 * Layer 1 of a network with a scalar input x, as a table. Its pre-activation
 * z1(x) = relu(x w0 + b0) W1 + b1 is piecewise linear in x, with a kink where hidden unit
 * k switches on or off, at x = -b0[k] / w0[k]. Between two consecutive kinks the set A of
 * active units is fixed and z1(x) = x * slope + intercept, with
 *   slope = sum_{k in A} w0[k] W1[k, :],   intercept = b1 + sum_{k in A} b0[k] W1[k, :].
 * Sweeping x upwards toggles one unit at each kink, so all the pieces together cost about
 * as much as one row of layer 1 per hidden unit. Built once per meta-iteration for theta,
 * which every task's support and query points share, the table makes each point's layer
 * 1 a binary search and one row of multiply-adds instead of a [hidden x out] product.
 * (A point within rounding of a kink may land in either neighbouring piece; both agree
 * there up to that unit's activation, which is about zero.)
 */
class ScalarInputTable {
  /** kinks[j], j < count: the sorted kinks; piece j lies between kinks[j - 1] and kinks[j]. */
  private readonly kinks: Float64Array;
  private readonly at: Float64Array;
  private readonly order: Int32Array;
  /** slope and intercept of piece j: [j * dout, (j + 1) * dout). */
  private readonly slope: Float64Array;
  private readonly intercept: Float64Array;
  private count = 0;

  constructor(
    private readonly hidden: number,
    private readonly dout: number,
  ) {
    this.kinks = new Float64Array(hidden);
    this.at = new Float64Array(hidden);
    this.order = new Int32Array(hidden);
    this.slope = new Float64Array((hidden + 1) * dout);
    this.intercept = new Float64Array((hidden + 1) * dout);
  }

  /** Tabulates layer 1 for first-layer weights w0 [1, hidden], b0 and layer-1 weights W1, b1. */
  build(w0: Float32Array, b0: Float32Array, W1: Float32Array, b1: Float32Array): void {
    const { hidden: H, dout: D, kinks, at, order, slope, intercept } = this;
    let m = 0;
    for (let k = 0; k < H; k++) {
      if (w0[k] === 0) continue; // a constant unit: no kink
      at[k] = -b0[k] / w0[k];
      // Insertion sort by kink (a few dozen units).
      let j = m++;
      while (j > 0 && at[order[j - 1]] > at[k]) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = k;
    }
    this.count = m;
    for (let j = 0; j < m; j++) kinks[j] = at[order[j]];
    // Piece 0, below every kink: the active units are those with w0 < 0 (and the constant
    // units with b0 > 0).
    for (let o = 0; o < D; o++) {
      slope[o] = 0;
      intercept[o] = b1[o];
    }
    for (let k = 0; k < H; k++) {
      if (w0[k] < 0 || (w0[k] === 0 && b0[k] > 0)) this.toggle(0, k, 1, w0, b0, W1);
    }
    // Crossing a kink upwards switches a unit with w0 > 0 on, and one with w0 < 0 off.
    for (let j = 0; j < m; j++) {
      slope.copyWithin((j + 1) * D, j * D, (j + 1) * D);
      intercept.copyWithin((j + 1) * D, j * D, (j + 1) * D);
      const k = order[j];
      this.toggle(j + 1, k, w0[k] > 0 ? 1 : -1, w0, b0, W1);
    }
  }

  private toggle(piece: number, k: number, sign: number, w0: Float32Array, b0: Float32Array, W1: Float32Array): void {
    const { dout: D, slope, intercept } = this;
    const p = piece * D;
    const a = sign * w0[k];
    const c = sign * b0[k];
    const wk = k * D;
    for (let o = 0; o < D; o++) {
      slope[p + o] += a * W1[wk + o];
      intercept[p + o] += c * W1[wk + o];
    }
  }

  /** z [n, dout] = layer 1 at the n inputs x, ReLU'd when relu is set. */
  evaluate(x: Float32Array, z: Float32Array, n: number, relu: boolean): void {
    const { dout: D, kinks, slope, intercept, count } = this;
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      // The piece of xi: the number of kinks below it.
      let lo = 0;
      let hi = count;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (kinks[mid] < xi) lo = mid + 1;
        else hi = mid;
      }
      const p = lo * D;
      const zi = i * D;
      for (let o = 0; o < D; o++) {
        const s = xi * slope[p + o] + intercept[p + o];
        z[zi + o] = relu && s < 0 ? 0 : s;
      }
    }
  }
}

/** Activations and backpropagated errors of one pass over n rows. */
interface Trace {
  /** h[0]: inputs [n, sizes[0]]; h[l+1]: ReLU output of layer l; h[L]: network output. */
  h: Float32Array[];
  /** sp[l]: where the input h[l] of layer l is nonzero (l < L). */
  sp: Sparsity[];
  /** dz[l]: gradient of the loss at layer l's pre-activation [n, sizes[l+1]]. */
  dz: Float32Array[];
}

function makeTrace(sizes: number[], n: number): Trace {
  return {
    h: sizes.map((d) => new Float32Array(n * d)),
    sp: sizes.slice(0, -1).map((d) => makeSparsity(n, d)),
    dz: sizes.slice(1).map((d) => new Float32Array(n * d)),
  };
}

function zeros(arrays: Float32Array[] | Float64Array[]): void {
  for (const a of arrays) a.fill(0);
}

/**
 * One MAML meta-gradient for a fixed network and meta-batch shape, with every work
 * buffer allocated once (by the constructor, and on the first call that uses more
 * inner steps than before).
 */
export class FusedMlpMaml {
  readonly shapes: number[][];
  private readonly L: number;
  /** thetas[s]: a task's parameters after s inner steps; thetas[0] is the caller's theta. */
  private readonly thetas: Float32Array[][] = [];
  /** support[s]: the support-set pass at thetas[s], kept for the Hessian-vector products. */
  private readonly support: Trace[] = [];
  private readonly query: Trace;
  /** Scratch gradient, the back-propagated vector v and H v. */
  private readonly g: Float32Array[];
  private readonly v: Float32Array[];
  private readonly hv: Float32Array[];
  /** R-forward values Rh[l] (l >= 1) and R-backward errors Rdz[l], over the support rows. */
  private readonly Rh: Float32Array[];
  private readonly Rdz: Float32Array[];
  /** The meta-gradient summed over tasks in float64, and its float32 default output. */
  private readonly acc: Float64Array[];
  private readonly grads: Float32Array[];
  /** Lists every output of the head, for the kernels that take a list of outputs. */
  private readonly allOutputs: Sparsity;
  /** Layer 1 at theta as a table, for a scalar input (din = 1) and a hidden first layer. */
  private readonly table: ScalarInputTable | null;

  constructor(
    readonly sizes: number[],
    readonly tasks: number,
    readonly shots: number,
    readonly queries: number,
  ) {
    if (sizes.length < 2) throw new Error('FusedMlpMaml: need at least an input and an output size');
    this.shapes = mlpShapes(sizes);
    this.L = sizes.length - 1;
    const params = () => this.shapes.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1)));
    this.query = makeTrace(sizes, queries);
    this.g = params();
    this.v = params();
    this.hv = params();
    this.grads = params();
    this.acc = this.grads.map((a) => new Float64Array(a.length));
    this.Rh = sizes.map((d) => new Float32Array(shots * d));
    this.Rdz = sizes.slice(1).map((d) => new Float32Array(shots * d));
    const rows = Math.max(shots, queries);
    const dout = sizes[this.L];
    this.table = sizes[0] === 1 && this.L >= 2 ? new ScalarInputTable(sizes[1], sizes[2]) : null;
    this.allOutputs = makeSparsity(rows, dout);
    this.allOutputs.rowCount.fill(dout);
    for (let j = 0; j < rows * dout; j++) this.allOutputs.rows[j] = j % dout;
    this.ensureSteps(1);
  }

  /** Allocates parameter sets and support traces for up to `steps` inner steps. */
  private ensureSteps(steps: number): void {
    if (this.thetas.length === 0) this.thetas.push([]); // slot 0 aliases the caller's theta
    while (this.thetas.length <= steps) {
      this.thetas.push(this.shapes.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1))));
    }
    while (this.support.length < Math.max(steps, 1)) this.support.push(makeTrace(this.sizes, this.shots));
  }

  /**
   * The MAML meta-gradient of `theta` on `batch`. Writes into `out` when given, otherwise
   * into a buffer owned by this object that the next call overwrites.
   */
  metaGradient(
    theta: Float32Array[],
    batch: RegressionBatch,
    { alpha, steps, order }: FusedMamlOptions,
    out?: Float32Array[],
  ): FusedMamlResult {
    const { sizes, tasks: T, shots: K, queries: Q } = this;
    if (batch.tasks !== T || batch.shots !== K || batch.queries !== Q) {
      throw new Error(`FusedMlpMaml: batch is ${batch.tasks}x${batch.shots}/${batch.queries}, expected ${T}x${K}/${Q}`);
    }
    if (theta.length !== this.shapes.length) throw new Error('FusedMlpMaml: wrong number of parameters');
    if (!Number.isInteger(steps) || steps < 0) throw new Error(`FusedMlpMaml: bad steps ${steps}`);
    this.ensureSteps(steps);
    const grads = out ?? this.grads;
    const din = sizes[0];
    const dout = sizes[this.L];
    const { thetas, support, query, g, v, hv, acc } = this;
    thetas[0] = theta;
    const table = this.table;
    table?.build(theta[0], theta[1], theta[2], theta[3]);
    zeros(acc);
    let preTotal = 0;
    let postTotal = 0;

    // Task t as MAML sees it (algorithm/maml.ts), on this object's buffers: inner step s
    // writes thetas[s + 1], keeping its support pass in support[s] for the Hessian-vector
    // product; the query gradient is written into v, which the pull-back updates in place.
    let t = 0;
    const task: MamlTask<Float32Array[], number> = {
      innerStep: (s, params, a) => {
        const tr = support[s];
        copyRows(batch.xs, t * K * din, tr.h[0], K * din);
        this.forward(params, tr, K, s === 0 ? table : null);
        mseError(tr.h[this.L], batch.ys, t * K * dout, tr.dz[this.L - 1], K * dout);
        zeros(g);
        this.backward(params, tr, K, g);
        const next = thetas[s + 1];
        for (let p = 0; p < g.length; p++) {
          const th = params[p];
          const b = next[p];
          const gp = g[p];
          for (let j = 0; j < th.length; j++) b[j] = th[j] - a * gp[j];
        }
        return next;
      },
      hvp: (s, u) => {
        zeros(hv);
        this.hessianVector(thetas[s], support[s], u, hv);
        return hv;
      },
      query: (params) => {
        copyRows(batch.xq, t * Q * din, query.h[0], Q * din);
        this.forward(params, query, Q, params === theta ? table : null);
        const loss = mseError(query.h[this.L], batch.yq, t * Q * dout, query.dz[this.L - 1], Q * dout);
        zeros(v);
        this.backward(params, query, Q, v);
        return { grads: v, result: loss };
      },
    };
    const options = { alpha, steps, variant: order === 2 ? ('maml2' as const) : ('maml1' as const) };

    for (t = 0; t < T; t++) {
      // Query loss before adaptation (with no inner steps, the same as after).
      if (steps > 0) {
        copyRows(batch.xq, t * Q * din, query.h[0], Q * din);
        this.forward(theta, query, Q, table);
        preTotal += mseError(query.h[this.L], batch.yq, t * Q * dout, null, Q * dout);
      }
      const { grads: gt, query: post } = mamlGradient(task, arrayAlgebra, theta, options);
      if (steps === 0) preTotal += post;
      postTotal += post;
      for (let p = 0; p < gt.length; p++) {
        const ap = acc[p];
        const vp = gt[p];
        for (let j = 0; j < vp.length; j++) ap[j] += vp[j];
      }
    }

    for (let p = 0; p < acc.length; p++) {
      const ap = acc[p];
      const gp = grads[p];
      for (let j = 0; j < ap.length; j++) gp[j] = ap[j] / T;
    }
    return { grads, preLoss: preTotal / T, postLoss: postTotal / T };
  }

  /**
   * Forward pass of tr.h[0] (n rows) through the network, filling tr.h and tr.sp. With
   * a table (built for these params), layer 1 comes from it.
   */
  private forward(params: Float32Array[], tr: Trace, n: number, table: ScalarInputTable | null): void {
    const { sizes, L } = this;
    for (let l = 0; l < L; l++) {
      indexRows(tr.h[l], n, sizes[l], tr.sp[l]);
      if (l === 1 && table !== null) table.evaluate(tr.h[0], tr.h[2], n, l + 1 < L);
      else denseForward(tr.h[l], tr.sp[l], params[2 * l], params[2 * l + 1], tr.h[l + 1], n, sizes[l], sizes[l + 1], l + 1 < L);
    }
  }

  /** Backpropagation from tr.dz[L-1], accumulating the gradient into grad (pre-zeroed). */
  private backward(params: Float32Array[], tr: Trace, n: number, grad: Float32Array[]): void {
    const { sizes, L } = this;
    for (let l = L - 1; l >= 0; l--) {
      const [din, dout] = [sizes[l], sizes[l + 1]];
      indexColumns(n, din, tr.sp[l]);
      biasGrad(tr.dz[l], grad[2 * l + 1], n, dout);
      weightGrad(tr.h[l], tr.sp[l], tr.dz[l], null, null, grad[2 * l], n, din, dout);
      if (l > 0) {
        const outs = l + 1 < L ? tr.sp[l + 1] : this.allOutputs;
        inputGrad(tr.sp[l], outs, tr.dz[l], params[2 * l], tr.dz[l - 1], n, din, dout);
      }
    }
  }

  /**
   * out += H V, with H the Hessian of the support MSE at params, whose forward and
   * backward passes are in tr (Pearlmutter's R-operator, see the file comment).
   */
  private hessianVector(params: Float32Array[], tr: Trace, V: Float32Array[], out: Float32Array[]): void {
    const { sizes, L, Rh, Rdz } = this;
    const n = this.shots;
    for (let l = 0; l < L; l++) {
      denseRForward(
        tr.h[l],
        l > 0 ? Rh[l] : null,
        tr.sp[l],
        l + 1 < L ? tr.sp[l + 1] : null,
        params[2 * l],
        V[2 * l],
        V[2 * l + 1],
        Rh[l + 1],
        n,
        sizes[l],
        sizes[l + 1],
      );
    }
    // The MSE's second derivative: Rdz_out = 2 Rout / (number of output elements).
    const m = n * sizes[L];
    const rOut = Rh[L];
    const rdzOut = Rdz[L - 1];
    for (let j = 0; j < m; j++) rdzOut[j] = (2 * rOut[j]) / m;
    for (let l = L - 1; l >= 0; l--) {
      const [din, dout] = [sizes[l], sizes[l + 1]];
      // R gb = colsum(Rdz); R gW = h^T Rdz + Rh^T dz; Rdz_{l-1} = (Rdz W^T + dz VW^T) * mask.
      biasGrad(Rdz[l], out[2 * l + 1], n, dout);
      weightGrad(tr.h[l], tr.sp[l], Rdz[l], l > 0 ? Rh[l] : null, tr.dz[l], out[2 * l], n, din, dout);
      if (l > 0) {
        const outs = l + 1 < L ? tr.sp[l + 1] : this.allOutputs;
        inputGradR(tr.sp[l], outs, Rdz[l], params[2 * l], tr.dz[l], V[2 * l], Rdz[l - 1], n, din, dout);
      }
    }
  }
}

function copyRows(src: Float32Array, offset: number, dst: Float32Array, m: number): void {
  for (let j = 0; j < m; j++) dst[j] = src[offset + j];
}

/**
 * Mean squared error of pred [m] against y[offset .. offset + m]; when dz is given it
 * receives the loss's gradient at pred, 2 (pred - y) / m.
 */
function mseError(pred: Float32Array, y: Float32Array, offset: number, dz: Float32Array | null, m: number): number {
  let s = 0;
  for (let j = 0; j < m; j++) {
    const e = pred[j] - y[offset + j];
    s += e * e;
    if (dz !== null) dz[j] = (2 * e) / m;
  }
  return s / m;
}

const instances = new Map<string, FusedMlpMaml>();

/**
 * The MAML meta-gradient (see FusedMlpMaml.metaGradient), reusing one set of work
 * buffers per network and batch shape. Without `out`, the gradients are fresh arrays.
 */
export function mamlMetaGradient(
  sizes: number[],
  theta: Float32Array[],
  batch: RegressionBatch,
  options: FusedMamlOptions,
  out?: Float32Array[],
): FusedMamlResult {
  const key = `${sizes.join(',')}|${batch.tasks}|${batch.shots}|${batch.queries}`;
  let maml = instances.get(key);
  if (maml === undefined) {
    maml = new FusedMlpMaml(sizes, batch.tasks, batch.shots, batch.queries);
    instances.set(key, maml);
  }
  const grads = out ?? theta.map((p) => new Float32Array(p.length));
  return maml.metaGradient(theta, batch, options, grads);
}
