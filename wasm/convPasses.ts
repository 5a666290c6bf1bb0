// The memory-bound passes of the conv-4 network (src/maml/networks/convNet.ts) in
// AssemblyScript, compiled to WebAssembly with 128-bit SIMD by scripts/build-wasm.ts: batch
// norm + ReLU forward and backward, im2col and its adjoint. Same contracts and the same
// arithmetic as the JavaScript passes in src/maml/networks/convPasses.ts.
//
// Batch norm: activations are [M, C] row-major float32, the
// statistics per channel are float64, and every value is computed in float64 from float32
// inputs, in the same order, then rounded to float32 where the JavaScript stores into a
// float32 array. So the results are the JavaScript's bit for bit. Two channels to a vector
// (f64x2), and a scalar tail for an odd C. Arguments are byte offsets into the imported
// memory and sizes in elements.

/** Two float32 at p, as float64. */
function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

/** Two float64 rounded to float32, stored at p. */
function store2(p: usize, v: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
}

/**
 * Batch norm with the batch's statistics, then ReLU: mean and (biased) variance of z per
 * channel, s = sqrt(variance + eps) (float32), xhat = (z - mean) / s, a = max(gamma xhat + beta, 0).
 */
export function bnForward(
  z: usize,
  gamma: usize,
  beta: usize,
  mean: usize,
  variance: usize,
  s: usize,
  inv: usize,
  xhat: usize,
  a: usize,
  M: i32,
  C: i32,
  eps: f64,
): void {
  const C2 = C & ~1;
  const n = <usize>M * <usize>C;
  memory.fill(mean, 0, (<usize>C) << 3);
  memory.fill(variance, 0, (<usize>C) << 3);
  for (let o: usize = 0; o < n; o += <usize>C) {
    const zo = z + (o << 2);
    let c = 0;
    for (; c < C2; c += 2) {
      const m = mean + ((<usize>c) << 3);
      v128.store(m, f64x2.add(v128.load(m), load2(zo + ((<usize>c) << 2))));
    }
    for (; c < C; c++) {
      const m = mean + ((<usize>c) << 3);
      store<f64>(m, load<f64>(m) + <f64>load<f32>(zo + ((<usize>c) << 2)));
    }
  }
  for (let c = 0; c < C; c++) {
    const m = mean + ((<usize>c) << 3);
    store<f64>(m, load<f64>(m) / <f64>M);
  }
  for (let o: usize = 0; o < n; o += <usize>C) {
    const zo = z + (o << 2);
    let c = 0;
    for (; c < C2; c += 2) {
      const q = variance + ((<usize>c) << 3);
      const d = f64x2.sub(load2(zo + ((<usize>c) << 2)), v128.load(mean + ((<usize>c) << 3)));
      v128.store(q, f64x2.add(v128.load(q), f64x2.mul(d, d)));
    }
    for (; c < C; c++) {
      const q = variance + ((<usize>c) << 3);
      const d = <f64>load<f32>(zo + ((<usize>c) << 2)) - load<f64>(mean + ((<usize>c) << 3));
      store<f64>(q, load<f64>(q) + d * d);
    }
  }
  for (let c = 0; c < C; c++) {
    const q = variance + ((<usize>c) << 3);
    const v = load<f64>(q) / <f64>M;
    store<f64>(q, v);
    const sc = <f32>Math.sqrt(v + eps);
    store<f32>(s + ((<usize>c) << 2), sc);
    store<f64>(inv + ((<usize>c) << 3), 1.0 / <f64>sc);
  }
  const half = f64x2.splat(0.5);
  for (let o: usize = 0; o < n; o += <usize>C) {
    const zo = z + (o << 2);
    const xo = xhat + (o << 2);
    const ao = a + (o << 2);
    let c = 0;
    for (; c < C2; c += 2) {
      const c4 = (<usize>c) << 2;
      const c8 = (<usize>c) << 3;
      const xh = f64x2.mul(f64x2.sub(load2(zo + c4), v128.load(mean + c8)), v128.load(inv + c8));
      store2(xo + c4, xh);
      const hv = f64x2.add(f64x2.mul(load2(gamma + c4), xh), load2(beta + c4));
      store2(ao + c4, f64x2.mul(f64x2.add(hv, f64x2.abs(hv)), half));
    }
    for (; c < C; c++) {
      const c4 = (<usize>c) << 2;
      const c8 = (<usize>c) << 3;
      const xh = (<f64>load<f32>(zo + c4) - load<f64>(mean + c8)) * load<f64>(inv + c8);
      store<f32>(xo + c4, <f32>xh);
      const hv = <f64>load<f32>(gamma + c4) * xh + <f64>load<f32>(beta + c4);
      store<f32>(ao + c4, <f32>((hv + Math.abs(hv)) * 0.5));
    }
  }
}

/**
 * Backpropagation through ReLU and batch norm from da: dh = da where a > 0 (else 0),
 * sb = sum dh, sg = sum dh xhat (float64), dxhat = gamma dh, m2 = gamma sg / M (float32),
 * dz = (dxhat - gamma sb / M - xhat m2) / s.
 */
export function bnBackward(
  da: usize,
  A: usize,
  X: usize,
  gamma: usize,
  s: usize,
  dh: usize,
  dxhat: usize,
  dz: usize,
  sb: usize,
  sg: usize,
  m1: usize,
  m2: usize,
  inv: usize,
  M: i32,
  C: i32,
): void {
  const C2 = C & ~1;
  const n = <usize>M * <usize>C;
  memory.fill(sb, 0, (<usize>C) << 3);
  memory.fill(sg, 0, (<usize>C) << 3);
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  for (let o: usize = 0; o < n; o += <usize>C) {
    const o4 = o << 2;
    let c = 0;
    for (; c < C2; c += 2) {
      const c4 = o4 + ((<usize>c) << 2);
      const c8 = (<usize>c) << 3;
      // The gate as 1 or 0, multiplied in as the JavaScript does (so -0 stays -0).
      const gate = f64x2.promote_low_f32x4(v128.and(f32x4.gt(v128.load64_zero(A + c4), zero), one));
      const d = f64x2.mul(load2(da + c4), gate);
      store2(dh + c4, d);
      v128.store(sb + c8, f64x2.add(v128.load(sb + c8), d));
      v128.store(sg + c8, f64x2.add(v128.load(sg + c8), f64x2.mul(d, load2(X + c4))));
      store2(dxhat + c4, f64x2.mul(load2(gamma + ((<usize>c) << 2)), d));
    }
    for (; c < C; c++) {
      const c4 = o4 + ((<usize>c) << 2);
      const c8 = (<usize>c) << 3;
      const d = <f64>load<f32>(da + c4) * (load<f32>(A + c4) > 0 ? 1.0 : 0.0);
      store<f32>(dh + c4, <f32>d);
      store<f64>(sb + c8, load<f64>(sb + c8) + d);
      store<f64>(sg + c8, load<f64>(sg + c8) + d * <f64>load<f32>(X + c4));
      store<f32>(dxhat + c4, <f32>(<f64>load<f32>(gamma + ((<usize>c) << 2)) * d));
    }
  }
  for (let c = 0; c < C; c++) {
    const c4 = (<usize>c) << 2;
    const c8 = (<usize>c) << 3;
    const g = <f64>load<f32>(gamma + c4);
    store<f64>(m1 + c8, (g * load<f64>(sb + c8)) / <f64>M);
    store<f32>(m2 + c4, <f32>((g * load<f64>(sg + c8)) / <f64>M));
    store<f64>(inv + c8, 1.0 / <f64>load<f32>(s + c4));
  }
  for (let o: usize = 0; o < n; o += <usize>C) {
    const o4 = o << 2;
    let c = 0;
    for (; c < C2; c += 2) {
      const c4 = o4 + ((<usize>c) << 2);
      const c8 = (<usize>c) << 3;
      const t = f64x2.sub(f64x2.sub(load2(dxhat + c4), v128.load(m1 + c8)), f64x2.mul(load2(X + c4), load2(m2 + ((<usize>c) << 2))));
      store2(dz + c4, f64x2.mul(t, v128.load(inv + c8)));
    }
    for (; c < C; c++) {
      const c4 = o4 + ((<usize>c) << 2);
      const c8 = (<usize>c) << 3;
      const t = <f64>load<f32>(dxhat + c4) - load<f64>(m1 + c8) - <f64>load<f32>(X + c4) * <f64>load<f32>(m2 + ((<usize>c) << 2));
      store<f32>(dz + c4, <f32>(t * load<f64>(inv + c8)));
    }
  }
}

// im2col for the 3x3 convolutions: the gather index gives, for each output position and
// kernel offset, the float offset of the input pixel's first channel, or -1 in the padding.
// col2im adds the columns in index order, in float32, as the JavaScript does, so both agree
// with it bit for bit.

/** cols[p, c] = x[idx[p] + c] (0 in the padding), for p < count, c < cin. */
export function im2col(x: usize, idx: usize, cols: usize, count: i32, cin: i32): void {
  const run = (<usize>cin) << 2;
  for (let p = 0; p < count; p++) {
    const src = load<i32>(idx + ((<usize>p) << 2));
    const dst = cols + <usize>p * run;
    if (src < 0) memory.fill(dst, 0, run);
    else memory.copy(dst, x + ((<usize>src) << 2), run);
  }
}

/** x[idx[p] + c] += cols[p, c] over p in order, x zeroed first (xLength floats). */
export function col2im(cols: usize, idx: usize, x: usize, xLength: i32, count: i32, cin: i32): void {
  memory.fill(x, 0, (<usize>xLength) << 2);
  const c4 = cin & ~3;
  const run = (<usize>cin) << 2;
  for (let p = 0; p < count; p++) {
    const dst = load<i32>(idx + ((<usize>p) << 2));
    if (dst < 0) continue;
    const s = cols + <usize>p * run;
    const d = x + ((<usize>dst) << 2);
    let c = 0;
    for (; c < c4; c += 4) {
      const o = (<usize>c) << 2;
      v128.store(d + o, f32x4.add(v128.load(d + o), v128.load(s + o)));
    }
    for (; c < cin; c++) {
      const o = (<usize>c) << 2;
      store<f32>(d + o, load<f32>(d + o) + load<f32>(s + o));
    }
  }
}
