// a * b + c, lane by lane, as a multiply then an add (wasm/gemm.ts; maddRelaxed.ts is the fused form).
export function madd(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(c, f32x4.mul(a, b));
}
