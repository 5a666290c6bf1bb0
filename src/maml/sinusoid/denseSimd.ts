/**
 * The dense-layer kernels (denseKernels.ts) in WebAssembly with 128-bit SIMD: the module
 * built from wasm/denseKernels.ts by `npm run build-wasm` (AssemblyScript), embedded in
 * denseSimd.wasm.ts. Each binding gets its own memory, sized once for the buffers the
 * fused kernel asks for, so no buffer moves or detaches afterwards.
 */
import type { Arena, DenseEngine, DenseKernels } from './denseKernels';
import { DENSE_SIMD_WASM } from './denseSimd.wasm';
import { compileSimd } from '../networks/wasmInstance';

interface Exports {
  denseForward(
    h: number,
    rows: number,
    rowCount: number,
    W: number,
    b: number,
    z: number,
    n: number,
    din: number,
    dout: number,
    relu: number,
  ): void;
  denseRForward(
    h: number,
    Rh: number,
    rows: number,
    rowCount: number,
    next: number,
    W: number,
    VW: number,
    Vb: number,
    Rz: number,
    n: number,
    din: number,
    dout: number,
  ): void;
  weightGrad(
    h: number,
    cols: number,
    colCount: number,
    dz: number,
    r: number,
    dr: number,
    gW: number,
    n: number,
    din: number,
    dout: number,
  ): void;
  inputGrad(
    rows: number,
    rowCount: number,
    dz: number,
    W: number,
    dr: number,
    V: number,
    dh: number,
    n: number,
    din: number,
    dout: number,
  ): void;
}

let compiled: ReturnType<typeof compileSimd> | undefined;

/** The SIMD engine, or why there is none (no WebAssembly, or no SIMD in this engine). */
export function simdEngine(): DenseEngine | { unavailable: string } {
  const mod = (compiled ??= compileSimd(DENSE_SIMD_WASM));
  if (!(mod instanceof WebAssembly.Module)) return mod;
  return {
    name: 'wasm-simd',
    bind(bytes) {
      const memory = new WebAssembly.Memory({ initial: Math.ceil((bytes + 64) / 65536) });
      const e = new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as Exports;
      let top = 16; // offset 0 is the kernels' null
      const take = (n: number) => {
        const at = top;
        top += (4 * n + 15) & ~15;
        if (top > memory.buffer.byteLength) throw new Error(`denseSimd: the arena of ${bytes} bytes is full`);
        return at;
      };
      const arena: Arena = {
        f32: (n) => new Float32Array(memory.buffer, take(n), n),
        i32: (n) => new Int32Array(memory.buffer, take(n), n),
      };
      const at = (a: Float32Array | null) => (a === null ? 0 : a.byteOffset);
      const kernels: DenseKernels = {
        denseForward: (h, sp, W, b, z, n, din, dout, relu) =>
          e.denseForward(
            h.byteOffset,
            sp.rows.byteOffset,
            sp.rowCount.byteOffset,
            W.byteOffset,
            b.byteOffset,
            z.byteOffset,
            n,
            din,
            dout,
            relu ? 1 : 0,
          ),
        denseRForward: (h, Rh, sp, next, W, VW, Vb, Rz, n, din, dout) =>
          e.denseRForward(
            h.byteOffset,
            at(Rh),
            sp.rows.byteOffset,
            sp.rowCount.byteOffset,
            next ? next.h.byteOffset : 0,
            W.byteOffset,
            VW.byteOffset,
            Vb.byteOffset,
            Rz.byteOffset,
            n,
            din,
            dout,
          ),
        weightGrad: (h, sp, dz, r, dr, gW, n, din, dout) =>
          e.weightGrad(
            h.byteOffset,
            sp.cols.byteOffset,
            sp.colCount.byteOffset,
            dz.byteOffset,
            r && dr ? r.byteOffset : 0,
            r && dr ? dr.byteOffset : 0,
            gW.byteOffset,
            n,
            din,
            dout,
          ),
        // dz (and dr) are zero wherever the layer's output is inactive: the sums run over every output.
        inputGrad: (sp, _outs, dz, W, dh, n, din, dout) =>
          e.inputGrad(sp.rows.byteOffset, sp.rowCount.byteOffset, dz.byteOffset, W.byteOffset, 0, 0, dh.byteOffset, n, din, dout),
        inputGradR: (sp, _outs, dz, W, dr, V, dh, n, din, dout) =>
          e.inputGrad(
            sp.rows.byteOffset,
            sp.rowCount.byteOffset,
            dz.byteOffset,
            W.byteOffset,
            dr.byteOffset,
            V.byteOffset,
            dh.byteOffset,
            n,
            din,
            dout,
          ),
      };
      return { arena, kernels };
    },
  };
}
