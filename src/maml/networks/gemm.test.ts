/**
 * The matrix products: tfjs-wasm's (XNNPACK, written straight into its heap) against the
 * plain JavaScript product in float64, for every transposition, at the network's shapes too.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../random';
import { jsGemm, tfGemm } from './gemm';

const random = (seed: string, n: number) => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
};

describe('tfGemm', () => {
  for (const [m, k, n] of [
    [7, 5, 3],
    [288, 1470, 32], // colsᵀ dz of block 2, the filter gradient
    [3, 40, 200],
  ])
    for (const transA of [false, true])
      for (const transB of [false, true])
        it(`${m}x${k} times ${k}x${n}${transA ? ', A transposed' : ''}${transB ? ', B transposed' : ''}: the float64 product to float32 rounding`, () => {
          const a = random(`a${m}/${k}`, m * k);
          const b = random(`b${k}/${n}`, k * n);
          const got = tfGemm.mul(a, b, m, k, n, transA, transB);
          const want = jsGemm.mul(Float64Array.from(a), Float64Array.from(b), m, k, n, transA, transB);
          expect(got).toBeInstanceOf(Float32Array);
          expect(got).toHaveLength(m * n);
          let worst = 0;
          for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.sqrt(k));
          expect(worst).toBeLessThan(1e-5);
        });

  it('skips a product with an all-zero factor', () => {
    expect(tfGemm.mul(new Float32Array(6), random('x', 6), 2, 3, 2, true, false)).toEqual(new Float32Array(4));
  });
});
