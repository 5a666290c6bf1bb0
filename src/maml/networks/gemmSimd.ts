/**
 * The fused kernels' matrix product (gemm.ts's contract) in WebAssembly with 128-bit SIMD: the
 * module built from wasm/gemm.ts by `npm run build-wasm` (AssemblyScript), embedded in
 * gemmSimd.wasm.ts, one instance (wasmInstance.ts). Each call copies its factors in and the
 * product out. Unlike tfjs-wasm's XNNPACK product it reads a transposed factor in place (A) or
 * packs it once (B), and has no tensor bookkeeping: about 1.8x less time over a conv-4
 * meta-gradient's products (npm run bench). Float64 arrays (the reference) go to the
 * JavaScript product; products with an all-zero factor are skipped, as there.
 */
import { allZero, jsGemm, tfGemm, type Gemm } from './gemm';
import { GEMM_SIMD_WASM } from './gemmSimd.wasm';
import { simdInstance } from './wasmInstance';

interface Exports {
  gemm(a: number, b: number, c: number, pack: number, M: number, K: number, N: number, transA: number, transB: number): void;
}

let engine: Gemm | { unavailable: string } | undefined;

/** The SIMD product, or why there is none (no WebAssembly, or no SIMD in this engine). */
export function simdGemm(): Gemm | { unavailable: string } {
  if (engine) return engine;
  const w = simdInstance<Exports>(GEMM_SIMD_WASM);
  if ('unavailable' in w) return (engine = w);
  const { exports: e, call } = w;
  return (engine = {
    name: 'wasm-simd',
    mul(a, b, m, k, n, transA, transB) {
      if (!(a instanceof Float32Array) || !(b instanceof Float32Array)) return jsGemm.mul(a, b, m, k, n, transA, transB);
      if (allZero(a) || allZero(b)) return new Float32Array(m * n);
      const pack = 4 * k * ((n + 7) & ~7);
      return call([a, b], [[Float32Array, m * n]], ([pa, pb, pc, pp]) => e.gemm(pa, pb, pc, pp, m, k, n, +transA, +transB), pack)[0];
    },
  });
}

/** Where a product runs, for the status line. */
export function gemmLabel(gemm: Gemm): string {
  return gemm.name === 'wasm-simd' ? 'WebAssembly SIMD' : gemm.name === 'tfjs' ? 'tfjs-wasm (XNNPACK)' : 'plain JavaScript';
}

/** The product the conv kernel uses: the SIMD one where this engine runs it, else tfjs's. */
export function defaultGemm(): Gemm {
  const simd = simdGemm();
  return 'unavailable' in simd ? tfGemm : simd;
}
