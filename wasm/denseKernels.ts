// The dense-layer kernels of the fused sinusoid MAML kernel (src/maml/sinusoid/fusedMaml.ts)
// in AssemblyScript, compiled to WebAssembly with 128-bit SIMD by scripts/build-wasm.ts.
// Same contracts as the JavaScript kernels there: h is a layer input [n, din], W [din, dout],
// b [dout], z / dz / Rz / Rdz [n, dout], all row-major float32; the sparsity lists (rows,
// rowCount by row; cols, colCount by column) give where h is nonzero. Arguments are byte
// offsets into the imported memory and sizes in elements; a null array is offset 0.
//
// The kernels are vectorised over the output dimension, 4 outputs to a vector: rows of 16
// outputs stay in four registers over the inputs, the rest go 4 at a time, then one at a
// time. Each output of denseForward, denseRForward and weightGrad adds its terms in the
// JavaScript kernel's order; inputGrad sums 4 partial sums at the end. The sums are
// float32 here (float64 in JavaScript), so results agree to float32 rounding.

/** x in all four lanes. */
function splat(x: f32): v128 {
  return f32x4.splat(x);
}

/** z = h W + b, ReLU'd when relu != 0. */
export function denseForward(
  h: usize,
  rows: usize,
  rowCount: usize,
  W: usize,
  b: usize,
  z: usize,
  n: i32,
  din: i32,
  dout: i32,
  relu: i32,
): void {
  const zero = f32x4.splat(0);
  for (let i = 0; i < n; i++) {
    const hi = h + ((<usize>(i * din)) << 2);
    const ri = rows + ((<usize>(i * din)) << 2);
    const zi = z + ((<usize>(i * dout)) << 2);
    const m = load<i32>(rowCount + ((<usize>i) << 2));
    let o = 0;
    for (; o + 16 <= dout; o += 16) {
      const bo = b + ((<usize>o) << 2);
      let s0 = v128.load(bo);
      let s1 = v128.load(bo, 16);
      let s2 = v128.load(bo, 32);
      let s3 = v128.load(bo, 48);
      for (let j = 0; j < m; j++) {
        const k = load<i32>(ri + ((<usize>j) << 2));
        const a = splat(load<f32>(hi + ((<usize>k) << 2)));
        const w = W + ((<usize>(k * dout + o)) << 2);
        s0 = f32x4.add(s0, f32x4.mul(a, v128.load(w)));
        s1 = f32x4.add(s1, f32x4.mul(a, v128.load(w, 16)));
        s2 = f32x4.add(s2, f32x4.mul(a, v128.load(w, 32)));
        s3 = f32x4.add(s3, f32x4.mul(a, v128.load(w, 48)));
      }
      const zo = zi + ((<usize>o) << 2);
      if (relu) {
        s0 = f32x4.max(s0, zero);
        s1 = f32x4.max(s1, zero);
        s2 = f32x4.max(s2, zero);
        s3 = f32x4.max(s3, zero);
      }
      v128.store(zo, s0);
      v128.store(zo, s1, 16);
      v128.store(zo, s2, 32);
      v128.store(zo, s3, 48);
    }
    for (; o + 4 <= dout; o += 4) {
      let s = v128.load(b + ((<usize>o) << 2));
      for (let j = 0; j < m; j++) {
        const k = load<i32>(ri + ((<usize>j) << 2));
        s = f32x4.add(s, f32x4.mul(splat(load<f32>(hi + ((<usize>k) << 2))), v128.load(W + ((<usize>(k * dout + o)) << 2))));
      }
      v128.store(zi + ((<usize>o) << 2), relu ? f32x4.max(s, zero) : s);
    }
    for (; o < dout; o++) {
      let s = load<f32>(b + ((<usize>o) << 2));
      for (let j = 0; j < m; j++) {
        const k = load<i32>(ri + ((<usize>j) << 2));
        s += load<f32>(hi + ((<usize>k) << 2)) * load<f32>(W + ((<usize>(k * dout + o)) << 2));
      }
      store<f32>(zi + ((<usize>o) << 2), relu && s < 0 ? 0 : s);
    }
  }
}

/**
 * R-forward through one layer: Rz = Rh W + h VW + Vb over the inputs where h != 0 (Rh = 0
 * when Rh is null). With next (the layer's ReLU output h_{l+1}), Rz is masked where it is 0.
 */
export function denseRForward(
  h: usize,
  Rh: usize,
  rows: usize,
  rowCount: usize,
  next: usize,
  W: usize,
  VW: usize,
  Vb: usize,
  Rz: usize,
  n: i32,
  din: i32,
  dout: i32,
): void {
  const zero = f32x4.splat(0);
  for (let i = 0; i < n; i++) {
    const hi = h + ((<usize>(i * din)) << 2);
    const rhi = Rh + ((<usize>(i * din)) << 2);
    const ri = rows + ((<usize>(i * din)) << 2);
    const zi = Rz + ((<usize>(i * dout)) << 2);
    const ni = next + ((<usize>(i * dout)) << 2);
    const m = load<i32>(rowCount + ((<usize>i) << 2));
    let o = 0;
    for (; o + 16 <= dout; o += 16) {
      const bo = Vb + ((<usize>o) << 2);
      let s0 = v128.load(bo);
      let s1 = v128.load(bo, 16);
      let s2 = v128.load(bo, 32);
      let s3 = v128.load(bo, 48);
      for (let j = 0; j < m; j++) {
        const k = load<i32>(ri + ((<usize>j) << 2));
        const a = splat(load<f32>(hi + ((<usize>k) << 2)));
        const off = (<usize>(k * dout + o)) << 2;
        const v = VW + off;
        s0 = f32x4.add(s0, f32x4.mul(a, v128.load(v)));
        s1 = f32x4.add(s1, f32x4.mul(a, v128.load(v, 16)));
        s2 = f32x4.add(s2, f32x4.mul(a, v128.load(v, 32)));
        s3 = f32x4.add(s3, f32x4.mul(a, v128.load(v, 48)));
        if (Rh) {
          const c = splat(load<f32>(rhi + ((<usize>k) << 2)));
          const w = W + off;
          s0 = f32x4.add(s0, f32x4.mul(c, v128.load(w)));
          s1 = f32x4.add(s1, f32x4.mul(c, v128.load(w, 16)));
          s2 = f32x4.add(s2, f32x4.mul(c, v128.load(w, 32)));
          s3 = f32x4.add(s3, f32x4.mul(c, v128.load(w, 48)));
        }
      }
      const zo = zi + ((<usize>o) << 2);
      if (next) {
        const no = ni + ((<usize>o) << 2);
        s0 = v128.and(s0, f32x4.ne(v128.load(no), zero));
        s1 = v128.and(s1, f32x4.ne(v128.load(no, 16), zero));
        s2 = v128.and(s2, f32x4.ne(v128.load(no, 32), zero));
        s3 = v128.and(s3, f32x4.ne(v128.load(no, 48), zero));
      }
      v128.store(zo, s0);
      v128.store(zo, s1, 16);
      v128.store(zo, s2, 32);
      v128.store(zo, s3, 48);
    }
    for (; o + 4 <= dout; o += 4) {
      let s = v128.load(Vb + ((<usize>o) << 2));
      for (let j = 0; j < m; j++) {
        const k = load<i32>(ri + ((<usize>j) << 2));
        const off = (<usize>(k * dout + o)) << 2;
        s = f32x4.add(s, f32x4.mul(splat(load<f32>(hi + ((<usize>k) << 2))), v128.load(VW + off)));
        if (Rh) s = f32x4.add(s, f32x4.mul(splat(load<f32>(rhi + ((<usize>k) << 2))), v128.load(W + off)));
      }
      if (next) s = v128.and(s, f32x4.ne(v128.load(ni + ((<usize>o) << 2)), zero));
      v128.store(zi + ((<usize>o) << 2), s);
    }
    for (; o < dout; o++) {
      let s = load<f32>(Vb + ((<usize>o) << 2));
      for (let j = 0; j < m; j++) {
        const k = load<i32>(ri + ((<usize>j) << 2));
        const off = (<usize>(k * dout + o)) << 2;
        s += load<f32>(hi + ((<usize>k) << 2)) * load<f32>(VW + off);
        if (Rh) s += load<f32>(rhi + ((<usize>k) << 2)) * load<f32>(W + off);
      }
      if (next && load<f32>(ni + ((<usize>o) << 2)) == 0) s = 0;
      store<f32>(zi + ((<usize>o) << 2), s);
    }
  }
}

/**
 * gW += h^T dz + r^T dr (the second term when r is not null), row k of gW from the rows i
 * with h[i, k] != 0 (cols, colCount).
 */
export function weightGrad(
  h: usize,
  cols: usize,
  colCount: usize,
  dz: usize,
  r: usize,
  dr: usize,
  gW: usize,
  n: i32,
  din: i32,
  dout: i32,
): void {
  for (let k = 0; k < din; k++) {
    const m = load<i32>(colCount + ((<usize>k) << 2));
    if (m == 0) continue;
    const ck = cols + ((<usize>(k * n)) << 2);
    const wk = gW + ((<usize>(k * dout)) << 2);
    let o = 0;
    for (; o + 16 <= dout; o += 16) {
      const w = wk + ((<usize>o) << 2);
      let s0 = v128.load(w);
      let s1 = v128.load(w, 16);
      let s2 = v128.load(w, 32);
      let s3 = v128.load(w, 48);
      for (let j = 0; j < m; j++) {
        const i = load<i32>(ck + ((<usize>j) << 2));
        const e = (<usize>(i * din + k)) << 2;
        const a = splat(load<f32>(h + e));
        const d = (<usize>(i * dout + o)) << 2;
        const dzi = dz + d;
        s0 = f32x4.add(s0, f32x4.mul(a, v128.load(dzi)));
        s1 = f32x4.add(s1, f32x4.mul(a, v128.load(dzi, 16)));
        s2 = f32x4.add(s2, f32x4.mul(a, v128.load(dzi, 32)));
        s3 = f32x4.add(s3, f32x4.mul(a, v128.load(dzi, 48)));
        if (r) {
          const c = splat(load<f32>(r + e));
          const dri = dr + d;
          s0 = f32x4.add(s0, f32x4.mul(c, v128.load(dri)));
          s1 = f32x4.add(s1, f32x4.mul(c, v128.load(dri, 16)));
          s2 = f32x4.add(s2, f32x4.mul(c, v128.load(dri, 32)));
          s3 = f32x4.add(s3, f32x4.mul(c, v128.load(dri, 48)));
        }
      }
      v128.store(w, s0);
      v128.store(w, s1, 16);
      v128.store(w, s2, 32);
      v128.store(w, s3, 48);
    }
    for (; o + 4 <= dout; o += 4) {
      const w = wk + ((<usize>o) << 2);
      let s = v128.load(w);
      for (let j = 0; j < m; j++) {
        const i = load<i32>(ck + ((<usize>j) << 2));
        const e = (<usize>(i * din + k)) << 2;
        const d = (<usize>(i * dout + o)) << 2;
        s = f32x4.add(s, f32x4.mul(splat(load<f32>(h + e)), v128.load(dz + d)));
        if (r) s = f32x4.add(s, f32x4.mul(splat(load<f32>(r + e)), v128.load(dr + d)));
      }
      v128.store(w, s);
    }
    for (; o < dout; o++) {
      const w = wk + ((<usize>o) << 2);
      let s = load<f32>(w);
      for (let j = 0; j < m; j++) {
        const i = load<i32>(ck + ((<usize>j) << 2));
        const e = (<usize>(i * din + k)) << 2;
        const d = (<usize>(i * dout + o)) << 2;
        s += load<f32>(h + e) * load<f32>(dz + d);
        if (r) s += load<f32>(r + e) * load<f32>(dr + d);
      }
      store<f32>(w, s);
    }
  }
}

/** The sum of the four lanes. */
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/**
 * dh = (dz W^T + dr V^T) * [h != 0] (the second term when dr is not null): dh[i, k] for the
 * k with h[i, k] != 0 (rows, rowCount), zero elsewhere. dz (and dr) are zero wherever the
 * layer's output is inactive, so the sums run over every output.
 */
export function inputGrad(
  rows: usize,
  rowCount: usize,
  dz: usize,
  W: usize,
  dr: usize,
  V: usize,
  dh: usize,
  n: i32,
  din: i32,
  dout: i32,
): void {
  memory.fill(dh, 0, (<usize>(n * din)) << 2);
  for (let i = 0; i < n; i++) {
    const ri = rows + ((<usize>(i * din)) << 2);
    const zi = dz + ((<usize>(i * dout)) << 2);
    const di = dr + ((<usize>(i * dout)) << 2);
    const hi = dh + ((<usize>(i * din)) << 2);
    const m = load<i32>(rowCount + ((<usize>i) << 2));
    for (let j = 0; j < m; j++) {
      const k = load<i32>(ri + ((<usize>j) << 2));
      const wk = W + ((<usize>(k * dout)) << 2);
      const vk = V + ((<usize>(k * dout)) << 2);
      let s = f32x4.splat(0);
      let t = f32x4.splat(0);
      let o = 0;
      for (; o + 4 <= dout; o += 4) {
        const off = (<usize>o) << 2;
        s = f32x4.add(s, f32x4.mul(v128.load(zi + off), v128.load(wk + off)));
        if (dr) t = f32x4.add(t, f32x4.mul(v128.load(di + off), v128.load(vk + off)));
      }
      let sum = hsum(f32x4.add(s, t));
      for (; o < dout; o++) {
        const off = (<usize>o) << 2;
        sum += load<f32>(zi + off) * load<f32>(wk + off);
        if (dr) sum += load<f32>(di + off) * load<f32>(vk + off);
      }
      store<f32>(hi + ((<usize>k) << 2), sum);
    }
  }
}
