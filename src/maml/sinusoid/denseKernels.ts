/**
 * The dense-layer kernels of the fused sinusoid MAML kernel (fusedMaml.ts), behind one
 * small interface with two implementations: plain JavaScript loops (here, and the
 * reference) and WebAssembly with 128-bit SIMD (denseSimd.ts, built from
 * wasm/denseKernels.ts). Both get their work buffers from an Arena: the WebAssembly
 * kernels read and write their own linear memory, so every buffer they see lives there,
 * and no call copies anything.
 */

/** Where a kernel set's work buffers come from. */
export interface Arena {
  f32(length: number): Float32Array;
  i32(length: number): Int32Array;
}

/** Plain typed arrays, counting the bytes asked for (to size a WebAssembly memory). */
export function countingArena(): Arena & { bytes: number } {
  const a = {
    bytes: 0,
    f32(n: number) {
      a.bytes += 4 * n + 12; // rounded up to 16 bytes by an arena that aligns
      return new Float32Array(n);
    },
    i32(n: number) {
      a.bytes += 4 * n + 12;
      return new Int32Array(n);
    },
  };
  return a;
}

/** A kernel implementation: bound to an arena of a given size, it gives the kernels that run on its buffers. */
export interface DenseEngine {
  readonly name: 'js' | 'wasm-simd';
  /** An arena for `bytes` of buffers (a countingArena's count) and the kernels that run on them. */
  bind(bytes: number): { arena: Arena; kernels: DenseKernels };
}

/** The five kernels; every array they get comes from their engine's arena. */
export interface DenseKernels {
  /** z = h W + b; ReLU'd in place when relu is set (z then holds h_{l+1}). */
  denseForward(
    h: Float32Array,
    sp: Sparsity,
    W: Float32Array,
    b: Float32Array,
    z: Float32Array,
    n: number,
    din: number,
    dout: number,
    relu: boolean,
  ): void;
  /**
   * R-forward through one layer, Rz = Rh W + h VW + Vb (Rh === null: Rh = 0), masked where
   * the layer's ReLU output `next` is 0 (next and its sparsity outSp; null for the head).
   */
  denseRForward(
    h: Float32Array,
    Rh: Float32Array | null,
    sp: Sparsity,
    next: { h: Float32Array; sp: Sparsity } | null,
    W: Float32Array,
    VW: Float32Array,
    Vb: Float32Array,
    Rz: Float32Array,
    n: number,
    din: number,
    dout: number,
  ): void;
  /** gW += h^T dz + r^T dr (the second term only when r and dr are given). */
  weightGrad(
    h: Float32Array,
    sp: Sparsity,
    dz: Float32Array,
    r: Float32Array | null,
    dr: Float32Array | null,
    gW: Float32Array,
    n: number,
    din: number,
    dout: number,
  ): void;
  /** dh = (dz W^T) * [h != 0], over the outputs listed in outs (where dz can be nonzero). */
  inputGrad(sp: Sparsity, outs: Sparsity, dz: Float32Array, W: Float32Array, dh: Float32Array, n: number, din: number, dout: number): void;
  /** dh = (dz W^T + dr V^T) * [h != 0]. */
  inputGradR(
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
  ): void;
}

/** The JavaScript kernels: sums in float64, every buffer a plain typed array. */
export const jsEngine: DenseEngine = { name: 'js', bind: () => ({ arena: countingArena(), kernels: jsKernels }) };

const jsKernels: DenseKernels = {
  denseForward: denseForwardJs,
  denseRForward: (h, Rh, sp, next, W, VW, Vb, Rz, n, din, dout) =>
    denseRForwardJs(h, Rh, sp, next?.sp ?? null, W, VW, Vb, Rz, n, din, dout),
  weightGrad: weightGradJs,
  inputGrad: inputGradJs,
  inputGradR: inputGradRJs,
};

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
export interface Sparsity {
  /** For row i: the columns k with h[i, k] != 0 are rows[i * d + j], j < rowCount[i]. */
  rows: Int32Array;
  rowCount: Int32Array;
  /** For column k: the rows i with h[i, k] != 0 are cols[k * n + j], j < colCount[k]. */
  cols: Int32Array;
  colCount: Int32Array;
}

export function makeSparsity(n: number, d: number, arena: Arena): Sparsity {
  return { rows: arena.i32(n * d), rowCount: arena.i32(n), cols: arena.i32(d * n), colCount: arena.i32(d) };
}

/** Lists the nonzero columns of each row of h [n, d] (sp.rows, sp.rowCount). */
export function indexRows(h: Float32Array, n: number, d: number, sp: Sparsity): void {
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
export function indexColumns(n: number, d: number, sp: Sparsity): void {
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
function denseForwardJs(
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
function denseRForwardJs(
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
function weightGradJs(
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
export function biasGrad(dz: Float32Array, gb: Float32Array, n: number, dout: number): void {
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
function inputGradJs(
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
function inputGradRJs(
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
