/**
 * The fused kernels' matrix product (gemm.ts's contract) in WebAssembly with 128-bit SIMD: the
 * module built from wasm/gemm.ts by `npm run build-wasm` (AssemblyScript), twice: with relaxed
 * SIMD's fused multiply-add (gemmRelaxedSimd.wasm.ts; Chromium since 114, Node with V8's
 * --experimental-wasm-relaxed-simd, which the project's Node scripts and tests set) and with a
 * multiply then an add (gemmSimd.wasm.ts) for engines without it. One instance
 * (wasmInstance.ts): its factors copied in and the product out, or read and kept in place
 * inside a wasmScope. Unlike tfjs-wasm's XNNPACK product it reads a transposed factor in place
 * (A) or packs it once (B), and has no tensor bookkeeping (npm run bench). Float64 arrays (the
 * reference) go to the JavaScript product; products with an all-zero factor are skipped, as there.
 */
import { allZero, jsGemm, tfGemm, type Gemm } from './gemm';
import { GEMM_SIMD_WASM } from './gemmSimd.wasm';
import { GEMM_RELAXED_SIMD_WASM } from './gemmRelaxedSimd.wasm';
import { compileSimd, simdInstance } from './wasmInstance';

interface Exports {
  gemm(a: number, b: number, c: number, pack: number, M: number, K: number, N: number, transA: number, transB: number): void;
}

export type SimdFlavour = 'relaxed' | 'plain';

const engines = new Map<SimdFlavour, Gemm | { unavailable: string }>();
let bestFlavour: SimdFlavour | undefined;

/** Whether this engine runs relaxed SIMD (the fused multiply-add). */
export function relaxedSimdSupported(): boolean {
  return !('unavailable' in compileSimd(GEMM_RELAXED_SIMD_WASM));
}

/**
 * The SIMD product, or why there is none (no WebAssembly, or no SIMD in this engine): with the
 * fused multiply-add where the engine has relaxed SIMD, unless `flavour` asks for one.
 */
export function simdGemm(flavour?: SimdFlavour): Gemm | { unavailable: string } {
  // Decided once (a module compile), after the Node scripts have set V8's flag at import.
  flavour ??= bestFlavour ??= relaxedSimdSupported() ? 'relaxed' : 'plain';
  let engine = engines.get(flavour);
  if (!engine) engines.set(flavour, (engine = createSimdGemm(flavour)));
  return engine;
}

function createSimdGemm(flavour: SimdFlavour): Gemm | { unavailable: string } {
  const w = simdInstance<Exports>(flavour === 'relaxed' ? GEMM_RELAXED_SIMD_WASM : GEMM_SIMD_WASM);
  if ('unavailable' in w) return w;
  const { exports: e, call } = w;
  return {
    name: flavour === 'relaxed' ? 'wasm-relaxed-simd' : 'wasm-simd',
    mul(a, b, m, k, n, transA, transB) {
      if (!(a instanceof Float32Array) || !(b instanceof Float32Array)) return jsGemm.mul(a, b, m, k, n, transA, transB);
      if (allZero(a) || allZero(b)) return new Float32Array(m * n);
      const pack = 4 * k * ((n + 7) & ~7);
      return call([a, b], [[Float32Array, m * n]], ([pa, pb, pc, pp]) => e.gemm(pa, pb, pc, pp, m, k, n, +transA, +transB), pack)[0];
    },
  };
}

/** Where a product runs, for the status line. */
export function gemmLabel(gemm: Gemm): string {
  return (
    { 'wasm-relaxed-simd': 'WebAssembly SIMD with fused multiply-add', 'wasm-simd': 'WebAssembly SIMD', tfjs: 'tfjs-wasm (XNNPACK)' }[
      gemm.name
    ] ?? 'plain JavaScript'
  );
}

/** The product the conv kernel uses: the SIMD one where this engine runs it, else tfjs's. */
export function defaultGemm(): Gemm {
  const simd = simdGemm();
  return 'unavailable' in simd ? tfGemm : simd;
}
