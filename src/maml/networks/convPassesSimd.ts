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
import { layout, simdInstance } from './wasmInstance';

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
  const { exports: e, reserve, f32, f64, i32 } = w;
  const float32 = (...xs: Vec[]) => xs.every((x) => x instanceof Float32Array);
  return {
    name: 'wasm-simd',
    im2col(x, idx, cin) {
      if (!float32(x)) return jsConvPasses.im2col(x, idx, cin);
      const n = idx.length * cin;
      const {
        at: [px, pi, pc],
        bytes,
      } = layout([
        [x.length, 4],
        [idx.length, 4],
        [n, 4],
      ]);
      reserve(bytes);
      f32(px, x.length).set(x);
      i32(pi, idx.length).set(idx);
      e.im2col(px, pi, pc, idx.length, cin);
      return f32(pc, n).slice();
    },
    col2im(cols, idx, cin, length) {
      if (!float32(cols)) return jsConvPasses.col2im(cols, idx, cin, length);
      const {
        at: [pc, pi, px],
        bytes,
      } = layout([
        [cols.length, 4],
        [idx.length, 4],
        [length, 4],
      ]);
      reserve(bytes);
      f32(pc, cols.length).set(cols);
      i32(pi, idx.length).set(idx);
      e.col2im(pc, pi, px, length, idx.length, cin);
      return f32(px, length).slice();
    },
    forward(z, gamma, beta, M, C) {
      if (!float32(z, gamma, beta)) return jsConvPasses.forward(z, gamma, beta, M, C);
      const n = M * C;
      const {
        at: [pz, pg, pb, pm, pv, ps, pi, px, pa],
        bytes,
      } = layout([
        [n, 4],
        [C, 4],
        [C, 4],
        [C, 8],
        [C, 8],
        [C, 4],
        [C, 8],
        [n, 4],
        [n, 4],
      ]);
      reserve(bytes);
      f32(pz, n).set(z);
      f32(pg, C).set(gamma);
      f32(pb, C).set(beta);
      e.bnForward(pz, pg, pb, pm, pv, ps, pi, px, pa, M, C, BN_EPSILON);
      return {
        mean: f64(pm, C).slice(),
        variance: f64(pv, C).slice(),
        s: f32(ps, C).slice(),
        xhat: f32(px, n).slice(),
        a: f32(pa, n).slice(),
      };
    },
    backward(da, A, X, gamma, s, M, C) {
      if (!float32(da, A, X, gamma, s)) return jsConvPasses.backward(da, A, X, gamma, s, M, C);
      const n = M * C;
      const {
        at: [pda, pA, pX, pg, ps, pdh, pdx, pdz, psb, psg, pm1, pm2, pi],
        bytes,
      } = layout([
        [n, 4],
        [n, 4],
        [n, 4],
        [C, 4],
        [C, 4],
        [n, 4],
        [n, 4],
        [n, 4],
        [C, 8],
        [C, 8],
        [C, 8],
        [C, 4],
        [C, 8],
      ]);
      reserve(bytes);
      f32(pda, n).set(da);
      f32(pA, n).set(A);
      f32(pX, n).set(X);
      f32(pg, C).set(gamma);
      f32(ps, C).set(s);
      e.bnBackward(pda, pA, pX, pg, ps, pdh, pdx, pdz, psb, psg, pm1, pm2, pi, M, C);
      return {
        dh: f32(pdh, n).slice(),
        dxhat: f32(pdx, n).slice(),
        dz: f32(pdz, n).slice(),
        m2: f32(pm2, C).slice(),
        sb: f64(psb, C).slice(),
        sg: f64(psg, C).slice(),
      };
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
