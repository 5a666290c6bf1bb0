/**
 * The batch norm passes (batchNormPasses.ts) in WebAssembly with 128-bit SIMD: the module
 * built from wasm/batchNorm.ts by `npm run build-wasm` (AssemblyScript), embedded in
 * batchNormSimd.wasm.ts. One instance with its own memory, grown when a call needs more:
 * each call copies its inputs in and its outputs out to fresh arrays, so no array handed
 * out is a view that a later growth could detach. Float64 arrays (the reference) go to the
 * JavaScript passes.
 */
import { BN_EPSILON, jsBatchNorm, type BatchNormPasses } from './batchNormPasses';
import { BATCH_NORM_SIMD_WASM } from './batchNormSimd.wasm';
import type { Vec } from './gemm';

interface Exports {
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

/** Byte offsets of consecutive arrays (float32 or float64 by `bytes` per element), 16-byte aligned. */
function layout(sizes: [number, 4 | 8][]): { at: number[]; bytes: number } {
  const at: number[] = [];
  let top = 16;
  for (const [n, b] of sizes) {
    at.push(top);
    top += (b * n + 15) & ~15;
  }
  return { at, bytes: top };
}

let engine: BatchNormPasses | { unavailable: string } | undefined;

/** The SIMD passes, or why there are none (no WebAssembly, or no SIMD in this engine). */
export function simdBatchNorm(): BatchNormPasses | { unavailable: string } {
  if (engine) return engine;
  let mod: WebAssembly.Module;
  try {
    if (typeof WebAssembly === 'undefined') return (engine = { unavailable: 'no WebAssembly' });
    const bytes = Uint8Array.from(atob(BATCH_NORM_SIMD_WASM), (c) => c.charCodeAt(0));
    if (!WebAssembly.validate(bytes)) return (engine = { unavailable: 'no WebAssembly SIMD' });
    mod = new WebAssembly.Module(bytes);
  } catch (e) {
    return (engine = { unavailable: `the module did not compile (${(e as Error).message})` });
  }
  const memory = new WebAssembly.Memory({ initial: 16 });
  const e = new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as Exports;
  const reserve = (bytes: number) => {
    const have = memory.buffer.byteLength;
    if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
  };
  const f32 = (at: number, n: number) => new Float32Array(memory.buffer, at, n);
  const f64 = (at: number, n: number) => new Float64Array(memory.buffer, at, n);
  const float32 = (...xs: Vec[]) => xs.every((x) => x instanceof Float32Array);
  engine = {
    name: 'wasm-simd',
    forward(z, gamma, beta, M, C) {
      if (!float32(z, gamma, beta)) return jsBatchNorm.forward(z, gamma, beta, M, C);
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
      if (!float32(da, A, X, gamma, s)) return jsBatchNorm.backward(da, A, X, gamma, s, M, C);
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
  return engine;
}

/** The SIMD passes where this engine runs them, else the JavaScript ones. */
export function defaultBatchNorm(): BatchNormPasses {
  const simd = simdBatchNorm();
  return 'unavailable' in simd ? jsBatchNorm : simd;
}

/** Where the batch norm passes run, for the status line. */
export function batchNormLabel(): string {
  return defaultBatchNorm().name === 'wasm-simd' ? 'batch norm on WebAssembly SIMD' : 'batch norm in JavaScript';
}
