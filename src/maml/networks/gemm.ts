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
export function allZero(a: Vec): boolean {
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

/** What the direct path uses of tfjs-backend-wasm: its module and its tensor bookkeeping. */
interface WasmBackend {
  wasm: {
    HEAPF32: Float32Array;
    cwrap(name: string, returns: null, args: string[]): (...args: unknown[]) => void;
  };
  write(values: null, shape: number[], dtype: 'float32'): object;
  disposeData(dataId: object): void;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
}

let wasmKernel: { backend: WasmBackend; batchMatMul: (...args: unknown[]) => void } | null = null;

/** The wasm backend's BatchMatMul export (what tf.matMul ends in), bound once per backend instance. */
function wasmBatchMatMul(): { backend: WasmBackend; batchMatMul: (...args: unknown[]) => void } | null {
  const backend = tf.backend() as unknown as WasmBackend;
  if (wasmKernel?.backend !== backend) {
    // Another build of the backend without these internals takes tf.matMul's way.
    if (typeof backend.wasm?.cwrap !== 'function' || typeof backend.write !== 'function' || !backend.dataIdMap) return null;
    const args = ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number'];
    wasmKernel = { backend, batchMatMul: backend.wasm.cwrap('BatchMatMul', null, args) };
  }
  return wasmKernel;
}

const shape3 = (rows: number, cols: number) => new Uint8Array(Int32Array.of(1, rows, cols).buffer);

/** Writes op(x), rows x cols, into the heap at float index `at`; transposed, x is cols x rows. */
function writeOp(heap: Float32Array, at: number, x: Float32Array, rows: number, cols: number, trans: boolean) {
  if (!trans) {
    heap.set(x, at);
    return;
  }
  for (let i = 0; i < cols; i++) {
    const src = i * rows;
    for (let j = 0; j < rows; j++) heap[at + j * cols + i] = x[src + j];
  }
}

/**
 * tfjs matMul on the active backend; only for float32 and only where reads are synchronous
 * (wasm, cpu). On wasm it calls the backend's kernel directly: the factors are written
 * (transposed on the way where asked: only the untransposed product takes XNNPACK's fast
 * path, about 10x) straight into the wasm heap and the product is copied out, with none
 * of the tensor creation, engine bookkeeping and separate transposes of tf.matMul. Each
 * call's three buffers are fresh tensor ids: XNNPACK caches its packed weights by the id
 * of B, and disposing the id drops that cache entry.
 */
export const tfGemm: Gemm = {
  name: 'tfjs',
  mul: (a: Vec, b: Vec, m: number, k: number, n: number, transA: boolean, transB: boolean): Vec => {
    if (!(a instanceof Float32Array) || !(b instanceof Float32Array)) return jsGemm.mul(a, b, m, k, n, transA, transB);
    if (allZero(a) || allZero(b)) return new Float32Array(m * n);
    const direct = tf.getBackend() === 'wasm' ? wasmBatchMatMul() : null;
    if (!direct) {
      const A = tf.tensor2d(transA ? (transpose(a, k, m) as Float32Array) : a, [m, k]);
      const B = tf.tensor2d(transB ? (transpose(b, n, k) as Float32Array) : b, [k, n]);
      const C = tf.matMul(A, B);
      const out = C.dataSync() as Float32Array;
      tf.dispose([A, B, C]);
      return out;
    }
    const { backend, batchMatMul } = direct;
    const A = backend.write(null, [1, m, k], 'float32');
    const B = backend.write(null, [1, k, n], 'float32');
    const C = backend.write(null, [1, m, n], 'float32');
    const [ai, bi, ci] = [A, B, C].map((d) => backend.dataIdMap.get(d));
    const heap = backend.wasm.HEAPF32; // after the allocations, which may grow (and replace) it
    writeOp(heap, ai.memoryOffset >>> 2, a, m, k, transA);
    writeOp(heap, bi.memoryOffset >>> 2, b, k, n, transB);
    batchMatMul(ai.id, shape3(m, k), 3, bi.id, shape3(k, n), 3, 0, 0, ci.id);
    const at = ci.memoryOffset >>> 2;
    const out = backend.wasm.HEAPF32.slice(at, at + m * n);
    for (const d of [A, B, C]) backend.disposeData(d);
    return out;
  },
};
