/**
 * One instance of an embedded WebAssembly SIMD module (built from wasm/ by `npm run
 * build-wasm`) with its own memory, grown when a call needs more. Each call copies its
 * inputs in and its outputs out, so no array handed out is a view that a later growth
 * could detach.
 */
export interface SimdInstance<E> {
  exports: E;
  /**
   * One kernel call: the inputs copied into the memory, room for each output (float32 or
   * float64, of n elements), `kernel` run on the byte offsets of the inputs then the outputs,
   * and the outputs copied out to fresh arrays, in order. `scratchBytes` of working room follow
   * the outputs (its offset last in `at`), never copied.
   */
  call(
    inputs: (Float32Array | Int32Array)[],
    outputs: [Output, number][],
    kernel: (at: number[]) => void,
    scratchBytes?: number,
  ): (Float32Array | Float64Array)[];
}

type Output = typeof Float32Array | typeof Float64Array;

/** An embedded module (base64), compiled, or why it cannot be (no WebAssembly, or no SIMD in this engine). */
export function compileSimd(base64: string): WebAssembly.Module | { unavailable: string } {
  try {
    if (typeof WebAssembly === 'undefined') return { unavailable: 'no WebAssembly' };
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    if (!WebAssembly.validate(bytes)) return { unavailable: 'no WebAssembly SIMD' };
    return new WebAssembly.Module(bytes);
  } catch (e) {
    return { unavailable: `the module did not compile (${(e as Error).message})` };
  }
}

/** The module's instance, or why there is none. */
export function simdInstance<E>(base64: string): SimdInstance<E> | { unavailable: string } {
  const mod = compileSimd(base64);
  if (!(mod instanceof WebAssembly.Module)) return mod;
  const memory = new WebAssembly.Memory({ initial: 16 });
  return {
    exports: new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as E,
    call(inputs, outputs, kernel, scratchBytes = 0) {
      // Consecutive arrays, 16-byte aligned, after a null at 0.
      const at: number[] = [];
      let top = 16;
      const sizes = [...inputs.map((x) => [4, x.length]), ...outputs.map(([T, n]) => [T.BYTES_PER_ELEMENT, n]), [1, scratchBytes]];
      for (const [bytes, n] of sizes) {
        at.push(top);
        top += (bytes * n + 15) & ~15;
      }
      const have = memory.buffer.byteLength;
      if (top > have) memory.grow(Math.ceil((top - have) / 65536));
      inputs.forEach((x, i) => new (x.constructor as typeof Float32Array)(memory.buffer, at[i], x.length).set(x));
      kernel(at);
      return outputs.map(([T, n], i) => new T(memory.buffer, at[inputs.length + i], n).slice());
    },
  };
}
