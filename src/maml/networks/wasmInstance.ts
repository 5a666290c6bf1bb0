/**
 * One instance of an embedded WebAssembly SIMD module (built from wasm/ by `npm run
 * build-wasm`) with its own memory, grown when a call needs more, and views on it. Callers
 * copy inputs in and outputs out within one call, so no array they hand out is a view that
 * a later growth could detach.
 */
export interface SimdInstance<E> {
  exports: E;
  /** Makes the memory at least `bytes` long (views made before a growth are detached). */
  reserve(bytes: number): void;
  f32(at: number, n: number): Float32Array;
  f64(at: number, n: number): Float64Array;
  i32(at: number, n: number): Int32Array;
}

/** The module's instance, or why there is none (no WebAssembly, or no SIMD in this engine). */
export function simdInstance<E>(base64: string): SimdInstance<E> | { unavailable: string } {
  let mod: WebAssembly.Module;
  try {
    if (typeof WebAssembly === 'undefined') return { unavailable: 'no WebAssembly' };
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    if (!WebAssembly.validate(bytes)) return { unavailable: 'no WebAssembly SIMD' };
    mod = new WebAssembly.Module(bytes);
  } catch (e) {
    return { unavailable: `the module did not compile (${(e as Error).message})` };
  }
  const memory = new WebAssembly.Memory({ initial: 16 });
  return {
    exports: new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as E,
    reserve(bytes) {
      const have = memory.buffer.byteLength;
      if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
    },
    f32: (at, n) => new Float32Array(memory.buffer, at, n),
    f64: (at, n) => new Float64Array(memory.buffer, at, n),
    i32: (at, n) => new Int32Array(memory.buffer, at, n),
  };
}

/** Byte offsets of consecutive arrays of n elements of `bytes` each, 16-byte aligned after a null at 0; and the end. */
export function layout(sizes: [number, 4 | 8][]): { at: number[]; bytes: number } {
  const at: number[] = [];
  let top = 16;
  for (const [n, b] of sizes) {
    at.push(top);
    top += (b * n + 15) & ~15;
  }
  return { at, bytes: top };
}
