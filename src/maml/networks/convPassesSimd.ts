/**
 * The conv net's memory-bound passes (convPasses.ts) in WebAssembly with 128-bit SIMD: the
 * module built from wasm/convPasses.ts by `npm run build-wasm` (AssemblyScript), embedded in
 * convPassesSimd.wasm.ts (one instance, wasmInstance.ts). Each call copies its inputs in
 * and its outputs out to fresh arrays. Float64 arrays (the reference) go to the JavaScript
 * passes.
 */
import { BN_EPSILON, jsConvPasses, type ConvPasses } from './convPasses';
import { CONV_PASSES_SIMD_WASM } from './convPassesSimd.wasm';
import type { Vec } from './gemm';
import { simdInstance } from './wasmInstance';

interface Exports {
  im2col(x: number, idx: number, cols: number, count: number, cin: number): void;
  col2im(cols: number, idx: number, x: number, xLength: number, count: number, cin: number): void;
  bnForward(
    z: number,
    gamma: number,
    beta: number,
    mean: number,
    variance: number,
    s: number,
    inv: number,
    xhat: number,
    a: number,
    M: number,
    C: number,
    eps: number,
  ): void;
  bnBackward(
    da: number,
    A: number,
    X: number,
    gamma: number,
    s: number,
    dh: number,
    dxhat: number,
    dz: number,
    sb: number,
    sg: number,
    m1: number,
    m2: number,
    inv: number,
    M: number,
    C: number,
  ): void;
}

let engine: ConvPasses | { unavailable: string } | undefined;

/** The SIMD passes, or why there are none (no WebAssembly, or no SIMD in this engine). */
export function simdConvPasses(): ConvPasses | { unavailable: string } {
  if (engine) return engine;
  return (engine = createSimdPasses());
}

function createSimdPasses(): ConvPasses | { unavailable: string } {
  const w = simdInstance<Exports>(CONV_PASSES_SIMD_WASM);
  if ('unavailable' in w) return w;
  const { exports: e, call } = w;
  const float32 = (...xs: Vec[]) => xs.every((x) => x instanceof Float32Array);
  const F32 = Float32Array;
  const F64 = Float64Array;
  return {
    name: 'wasm-simd',
    im2col(x, idx, cin) {
      if (!float32(x)) return jsConvPasses.im2col(x, idx, cin);
      return call([x as Float32Array, idx], [[F32, idx.length * cin]], ([px, pi, pc]) => e.im2col(px, pi, pc, idx.length, cin))[0];
    },
    col2im(cols, idx, cin, length) {
      if (!float32(cols)) return jsConvPasses.col2im(cols, idx, cin, length);
      return call([cols as Float32Array, idx], [[F32, length]], ([pc, pi, px]) => e.col2im(pc, pi, px, length, idx.length, cin))[0];
    },
    forward(z, gamma, beta, M, C) {
      if (!float32(z, gamma, beta)) return jsConvPasses.forward(z, gamma, beta, M, C);
      const n = M * C;
      const [mean, variance, s, , xhat, a] = call(
        [z, gamma, beta] as Float32Array[],
        [
          [F64, C],
          [F64, C],
          [F32, C],
          [F64, C],
          [F32, n],
          [F32, n],
        ],
        ([pz, pg, pb, pm, pv, ps, pi, px, pa]) => e.bnForward(pz, pg, pb, pm, pv, ps, pi, px, pa, M, C, BN_EPSILON),
      );
      return { mean: mean as Float64Array, variance: variance as Float64Array, s, xhat, a };
    },
    backward(da, A, X, gamma, s, M, C) {
      if (!float32(da, A, X, gamma, s)) return jsConvPasses.backward(da, A, X, gamma, s, M, C);
      const n = M * C;
      const [dh, dxhat, dz, sb, sg, , m2] = call(
        [da, A, X, gamma, s] as Float32Array[],
        [
          [F32, n],
          [F32, n],
          [F32, n],
          [F64, C],
          [F64, C],
          [F64, C],
          [F32, C],
          [F64, C],
        ],
        ([pda, pA, pX, pg, ps, pdh, pdx, pdz, psb, psg, pm1, pm2, pi]) =>
          e.bnBackward(pda, pA, pX, pg, ps, pdh, pdx, pdz, psb, psg, pm1, pm2, pi, M, C),
      );
      return { dh, dxhat, dz, m2, sb: sb as Float64Array, sg: sg as Float64Array };
    },
  };
}

/** The SIMD passes where this engine runs them, else the JavaScript ones. */
export function defaultConvPasses(): ConvPasses {
  const simd = simdConvPasses();
  return 'unavailable' in simd ? jsConvPasses : simd;
}

/** Where the passes run, for the status line. */
export function convPassesLabel(): string {
  return defaultConvPasses().name === 'wasm-simd' ? 'batch norm and im2col on WebAssembly SIMD' : 'batch norm and im2col in JavaScript';
}
