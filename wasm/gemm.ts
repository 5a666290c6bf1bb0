// The matrix product of the fused kernels (src/maml/networks/gemm.ts's contract) in
// AssemblyScript, compiled to WebAssembly with 128-bit SIMD by scripts/build-wasm.ts:
// C[M,N] = op(A) op(B), float32, row-major, where op transposes when asked (op(A) is M x K,
// op(B) is K x N). Four rows of C by eight columns at a time, eight vector accumulators, each
// A element broadcast, two vectors of a row of op(B) loaded per k. A transposed A is read in
// place (its stride swapped); a transposed B, or one whose N is not a multiple of 8, is first
// copied into `pack` as K rows of N rounded up to 8, zero-padded. Arguments are byte offsets
// into the imported memory and sizes in elements; C is overwritten.
//
// Built twice: with madd.ts (a multiply then an add) and, for engines with relaxed SIMD, with
// maddRelaxed.ts in its place (one fused multiply-add where the CPU has one).
import { madd } from './madd';
/** The float32 at p in every lane. */
function splat(p: usize): v128 {
  return v128.load32_splat(p);
}

/** C = op(A) op(B); `pack` has room for K * (N rounded up to 8) floats. */
export function gemm(a: usize, b: usize, c: usize, pack: usize, M: i32, K: i32, N: i32, transA: i32, transB: i32): void {
  const N8 = (N + 7) & ~7;
  let bb = b;
  let bs = N;
  if (transB || N != N8) {
    for (let k = 0; k < K; k++) {
      const row = pack + <usize>(k * N8) * 4;
      for (let j = 0; j < N8; j++) {
        const v: f32 = j < N ? (transB ? load<f32>(b + <usize>(j * K + k) * 4) : load<f32>(b + <usize>(k * N + j) * 4)) : 0;
        store<f32>(row + <usize>j * 4, v);
      }
    }
    bb = pack;
    bs = N8;
  }
  const ars: usize = transA ? 4 : <usize>K * 4;
  const aks: usize = transA ? <usize>M * 4 : 4;
  const bks: usize = <usize>bs * 4;
  let i = 0;
  for (; i + 3 < M; i += 4) {
    for (let j0 = 0; j0 < N8; j0 += 8) {
      let c00 = f32x4.splat(0),
        c01 = f32x4.splat(0),
        c10 = f32x4.splat(0),
        c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0),
        c21 = f32x4.splat(0),
        c30 = f32x4.splat(0),
        c31 = f32x4.splat(0);
      let pa = a + <usize>i * ars;
      let pb = bb + <usize>j0 * 4;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(pb),
          b1 = v128.load(pb, 16);
        let x = splat(pa);
        c00 = madd(x, b0, c00);
        c01 = madd(x, b1, c01);
        x = splat(pa + ars);
        c10 = madd(x, b0, c10);
        c11 = madd(x, b1, c11);
        x = splat(pa + 2 * ars);
        c20 = madd(x, b0, c20);
        c21 = madd(x, b1, c21);
        x = splat(pa + 3 * ars);
        c30 = madd(x, b0, c30);
        c31 = madd(x, b1, c31);
        pa += aks;
        pb += bks;
      }
      storeRow(c, i, j0, N, c00, c01);
      storeRow(c, i + 1, j0, N, c10, c11);
      storeRow(c, i + 2, j0, N, c20, c21);
      storeRow(c, i + 3, j0, N, c30, c31);
    }
  }
  for (; i < M; i++) {
    for (let j0 = 0; j0 < N8; j0 += 8) {
      let c00 = f32x4.splat(0),
        c01 = f32x4.splat(0);
      let pa = a + <usize>i * ars;
      let pb = bb + <usize>j0 * 4;
      for (let k = 0; k < K; k++) {
        const x = splat(pa);
        c00 = madd(x, v128.load(pb), c00);
        c01 = madd(x, v128.load(pb, 16), c01);
        pa += aks;
        pb += bks;
      }
      storeRow(c, i, j0, N, c00, c01);
    }
  }
}

/** Row i of C, columns j0 to j0 + 7, from two vectors; only the columns below N. */
function storeRow(c: usize, i: i32, j0: i32, N: i32, v0: v128, v1: v128): void {
  const p = c + <usize>(i * N + j0) * 4;
  if (j0 + 8 <= N) {
    v128.store(p, v0);
    v128.store(p, v1, 16);
  } else {
    const n = N - j0;
    if (n > 0) store<f32>(p, f32x4.extract_lane(v0, 0));
    if (n > 1) store<f32>(p, f32x4.extract_lane(v0, 1), 4);
    if (n > 2) store<f32>(p, f32x4.extract_lane(v0, 2), 8);
    if (n > 3) store<f32>(p, f32x4.extract_lane(v0, 3), 12);
    if (n > 4) store<f32>(p, f32x4.extract_lane(v1, 0), 16);
    if (n > 5) store<f32>(p, f32x4.extract_lane(v1, 1), 20);
    if (n > 6) store<f32>(p, f32x4.extract_lane(v1, 2), 24);
  }
}
