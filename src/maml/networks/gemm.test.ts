/**
 * The matrix products: the project's WebAssembly SIMD product and tfjs-wasm's (XNNPACK,
 * written straight into its heap) against the plain JavaScript product in float64, for every
 * transposition, at the network's shapes too, and at sizes that leave partial tiles (rows not
 * a multiple of 4, columns not a multiple of 8, a single k).
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../random';
import { jsGemm, tfGemm, type Gemm } from './gemm';
import { simdGemm } from './gemmSimd';

const random = (seed: string, n: number) => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
};

const [relaxed, plain] = [simdGemm('relaxed'), simdGemm('plain')];
if ('unavailable' in relaxed || 'unavailable' in plain)
  throw new Error('no SIMD product here (relaxed SIMD is set on in scripts/tests/setupNode.ts)');

describe.each([
  ['tfGemm', tfGemm],
  ['simdGemm (fused multiply-add)', relaxed],
  ['simdGemm (multiply, add)', plain],
] as [string, Gemm][])('%s', (_, gemm) => {
  for (const [m, k, n] of [
    [7, 5, 3],
    [288, 1470, 32], // colsᵀ dz of block 2, the filter gradient
    [3, 40, 200],
    [9, 4900, 32], // colsᵀ dz of block 1
    [1225, 32, 288], // dz Wᵀ of block 2
    [25, 128, 5], // the head
    [6, 1, 13],
    [1, 3, 1],
  ])
    for (const transA of [false, true])
      for (const transB of [false, true])
        it(`${m}x${k} times ${k}x${n}${transA ? ', A transposed' : ''}${transB ? ', B transposed' : ''}: the float64 product to float32 rounding`, () => {
          const a = random(`a${m}/${k}`, m * k);
          const b = random(`b${k}/${n}`, k * n);
          const got = gemm.mul(a, b, m, k, n, transA, transB);
          const want = jsGemm.mul(Float64Array.from(a), Float64Array.from(b), m, k, n, transA, transB);
          expect(got).toBeInstanceOf(Float32Array);
          expect(got).toHaveLength(m * n);
          let worst = 0;
          for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.sqrt(k));
          expect(worst).toBeLessThan(1e-5);
        });

  it('skips a product with an all-zero factor', () => {
    expect(gemm.mul(new Float32Array(6), random('x', 6), 2, 3, 2, true, false)).toEqual(new Float32Array(4));
  });

  it('writes every element of the product, whatever the memory held before', () => {
    const a = random('a', 5 * 7);
    const want = jsGemm.mul(Float64Array.from(a), Float64Array.from(a), 5, 7, 5, false, true);
    gemm.mul(random('junk', 64 * 64), random('junk2', 64 * 64), 64, 64, 64, false, false);
    const got = gemm.mul(a, a, 5, 7, 5, false, true);
    for (let i = 0; i < 25; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5);
  });
});
