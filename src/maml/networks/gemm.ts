/**
 * Matrix products for the fused kernels: C[m,n] = op(A) op(B), row-major, where op
 * transposes when asked (op(A) is m x k, op(B) is k x n). Two implementations:
 * plain JavaScript (any float array, the float64 reference and the fallback) and tfjs's
 * matMul on the wasm backend (XNNPACK with SIMD: about 15 GFLOP/s here against about 1
 * for the JavaScript loop; npm run bench measures both).
 */
import * as tf from '../tf';

export type Vec = Float32Array | Float64Array;

export interface Gemm {
  readonly name: string;
  mul(a: Vec, b: Vec, m: number, k: number, n: number, transA: boolean, transB: boolean): Vec;
}

function transpose(a: Vec, rows: number, cols: number): Vec {
  const t = new (a.constructor as typeof Float64Array)(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

/** Four rows of C at a time over contiguous rows of B. */
function gemmNN(A: Vec, B: Vec, M: number, K: number, N: number, C: Vec) {
  let i = 0;
  for (; i + 3 < M; i += 4) {
    const c0 = i * N,
      c1 = c0 + N,
      c2 = c1 + N,
      c3 = c2 + N;
    const a0 = i * K,
      a1 = a0 + K,
      a2 = a1 + K,
      a3 = a2 + K;
    for (let k = 0; k < K; k++) {
      const x0 = A[a0 + k],
        x1 = A[a1 + k],
        x2 = A[a2 + k],
        x3 = A[a3 + k];
      const bo = k * N;
      for (let j = 0; j < N; j++) {
        const b = B[bo + j];
        C[c0 + j] += x0 * b;
        C[c1 + j] += x1 * b;
        C[c2 + j] += x2 * b;
        C[c3 + j] += x3 * b;
      }
    }
  }
  for (; i < M; i++) {
    const co = i * N;
    for (let k = 0; k < K; k++) {
      const x = A[i * K + k];
      const bo = k * N;
      for (let j = 0; j < N; j++) C[co + j] += x * B[bo + j];
    }
  }
}

/** Products with an all-zero factor (the zero head's first step) are skipped: scanning is far cheaper. */
function allZero(a: Vec): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
}

export const jsGemm: Gemm = {
  name: 'js',
  mul: (a: Vec, b: Vec, m: number, k: number, n: number, transA: boolean, transB: boolean): Vec => {
    if (allZero(a) || allZero(b)) return new (a.constructor as typeof Float64Array)(m * n);
    const A = transA ? transpose(a, k, m) : a;
    const B = transB ? transpose(b, n, k) : b;
    const C = new (a.constructor as typeof Float64Array)(m * n);
    gemmNN(A, B, m, k, n, C);
    return C;
  },
};

/** tfjs matMul on the active backend; only for float32 and only where reads are synchronous (wasm, cpu). */
export const tfGemm: Gemm = {
  name: 'tfjs',
  mul: (a: Vec, b: Vec, m: number, k: number, n: number, transA: boolean, transB: boolean): Vec => {
    if (!(a instanceof Float32Array) || !(b instanceof Float32Array)) return jsGemm.mul(a, b, m, k, n, transA, transB);
    if (allZero(a) || allZero(b)) return new Float32Array(m * n);
    // Only the untransposed product takes XNNPACK's fast path (about 10x), so transpose here.
    const A = tf.tensor2d((transA ? transpose(a, k, m) : a) as Float32Array, [m, k]);
    const B = tf.tensor2d((transB ? transpose(b, n, k) : b) as Float32Array, [k, n]);
    const C = tf.matMul(A, B);
    const out = C.dataSync() as Float32Array;
    tf.dispose([A, B, C]);
    return out;
  },
};
