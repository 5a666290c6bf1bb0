// a * b + c, lane by lane, with relaxed SIMD's multiply-add: fused (one rounding) where the CPU
// has FMA, as in x86-64's FMA3; built into wasm/gemm.ts in place of madd.ts (scripts/lib/wasmBuild.ts).
export function madd(a: v128, b: v128, c: v128): v128 {
  return f32x4.relaxed_madd(a, b, c);
}
