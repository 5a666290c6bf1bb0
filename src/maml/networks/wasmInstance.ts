/**
 * The embedded WebAssembly SIMD modules of the conv kernel (built from wasm/ by `npm run
 * build-wasm`), each one instance over one memory they share, grown when a call needs more.
 *
 * Outside a scope, each call copies its inputs in and its outputs out to fresh arrays, so no
 * array handed out is a view that a later growth could detach. Inside `wasmScope(fn)` (one
 * task's meta-gradient, say) the outputs stay in the memory: they are views on it, stacked one
 * after another, and an input that is such a view is read where it lies, with no copy. The
 * memory never grows inside a scope (a growth would detach every view): a call that does not
 * fit abandons the scope, which grows the memory and runs `fn` again, so `fn` must not change
 * anything outside itself before it returns. What `fn` returns is copied out of the memory
 * (typed arrays within arrays and plain objects), and the scope's room is reused afterwards.
 */
export interface SimdInstance<E> {
  exports: E;
  /**
   * One kernel call: the inputs in the memory (copied there unless they are views on it), room
   * for each output (float32 or float64, of n elements), `kernel` run on the byte offsets of the
   * inputs then the outputs, and the outputs returned in order (fresh arrays, or views inside a
   * scope). `scratchBytes` of working room follow the outputs (its offset last in `at`).
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

const PAGE = 65536;
/** Room a scope starts with: enough for one 5-way task of the 64-filter network. */
const MIN_SCOPE_BYTES = 64 << 20;
const align = (n: number) => (n + 15) & ~15;

let shared: WebAssembly.Memory | null = null;
const memory = () => (shared ??= new WebAssembly.Memory({ initial: 16 }));

/** The open scope: its arrays lie in [16, top), and nothing may go past `limit`. */
let scope: { top: number; limit: number; peak: number } | null = null;
/** The most a scope has needed, so the next one starts with room for it. */
let scopeHighWater = 0;
/** Tests: fill a closed scope's room with NaN, so a view that escaped it shows. */
let poison = false;

class ScopeOverflow extends Error {
  constructor(readonly needed: number) {
    super('a wasm scope ran out of room');
  }
}

function ensure(bytes: number) {
  const m = memory();
  const have = m.buffer.byteLength;
  if (bytes > have) m.grow(Math.ceil((bytes - have) / PAGE));
}

/** Whether `x` is a view on the shared memory (an output kept inside a scope). */
export function isView(x: ArrayBufferView): boolean {
  return shared !== null && x.buffer === shared.buffer;
}

function copyOut<T>(value: T): T {
  if (ArrayBuffer.isView(value)) return (isView(value) ? (value as unknown as Float32Array).slice() : value) as T;
  if (Array.isArray(value)) return value.map(copyOut) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyOut(v)])) as T;
  return value;
}

/**
 * Runs `fn` with the kernels' outputs kept in the shared memory (see above); returns what it
 * returns, copied out. Nested scopes run inside the outer one.
 */
export function wasmScope<T>(fn: () => T): T {
  if (scope || !shared) return fn(); // inside another, or no module instantiated (no SIMD, or the float64 reference)
  for (let attempt = 0; ; attempt++) {
    ensure(Math.max(MIN_SCOPE_BYTES, 2 * scopeHighWater));
    scope = { top: 16, limit: memory().buffer.byteLength, peak: 16 };
    try {
      return copyOut(fn());
    } catch (e) {
      if (!(e instanceof ScopeOverflow) || attempt >= 4) throw e;
      scopeHighWater = Math.max(scopeHighWater, e.needed);
    } finally {
      scopeHighWater = Math.max(scopeHighWater, scope.peak);
      if (poison) new Float32Array(memory().buffer, 16, (scope.peak - 16) >> 2).fill(NaN);
      scope = null;
    }
  }
}

/** Tests only: whether a closed scope's room is filled with NaN. */
export function poisonClosedScopes(on: boolean) {
  poison = on;
}

/** The module's instance, or why there is none. */
export function simdInstance<E>(base64: string): SimdInstance<E> | { unavailable: string } {
  const mod = compileSimd(base64);
  if (!(mod instanceof WebAssembly.Module)) return mod;
  return {
    exports: new WebAssembly.Instance(mod, { env: { memory: memory() } }).exports as unknown as E,
    call(inputs, outputs, kernel, scratchBytes = 0) {
      // Outputs first (kept inside a scope), then copies of the inputs that are not views, then scratch.
      const s = scope;
      let top = s ? s.top : 16;
      const outAt = outputs.map(([T, n]) => {
        const at = top;
        top += align(T.BYTES_PER_ELEMENT * n);
        return at;
      });
      const kept = top;
      const inAt = inputs.map((x) => {
        if (isView(x)) return x.byteOffset;
        const at = top;
        top += align(4 * x.length);
        return at;
      });
      const scratchAt = top;
      top += align(scratchBytes);
      if (s) {
        if (top > s.limit) throw new ScopeOverflow(top);
        s.top = kept;
        s.peak = Math.max(s.peak, top);
      } else ensure(top);
      const buffer = memory().buffer;
      inputs.forEach((x, i) => {
        if (!isView(x)) new (x.constructor as typeof Float32Array)(buffer, inAt[i], x.length).set(x);
      });
      kernel([...inAt, ...outAt, scratchAt]);
      return outputs.map(([T, n], i) => (s ? new T(buffer, outAt[i], n) : new T(buffer, outAt[i], n).slice()));
    },
  };
}
