/**
 * The SIMD modules' shared memory and its scopes (wasmInstance.ts): inside a scope the kernels'
 * outputs stay in the memory and are read in place, with the same numbers as the copying
 * calls; nothing a scope returns is a view on the memory; a scope that runs out of room grows
 * it and runs again. Closed scopes are filled with NaN here, so a view that escaped one would
 * turn the next task's numbers to NaN.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../random';
import { BODY_PARAMS, ConvNet, PARAMS_PER_BLOCK, bodyShapes } from './convNet';
import { generalBlockGradient, taskMetaGradient, zeroHeadStepGradient, type EpisodeTask } from '../omniglot/convMaml';
import { simdGemm } from './gemmSimd';
import { simdConvPasses } from './convPassesSimd';
import type { Gemm } from './gemm';
import type { ConvPasses } from './convPasses';
import { isView as onMemory, poisonClosedScopes, wasmScope } from './wasmInstance';

const gemm = simdGemm() as Gemm;
const passes = simdConvPasses() as ConvPasses;
const net = new ConvNet({ filters: 8, channels: 1, imageSize: 28 }, gemm, passes);
const way = 5;

function random(seed: string, n: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

function body(seed: string): Float32Array[] {
  return bodyShapes(net.shape).map((s, i) => {
    const n = s.reduce((a, b) => a * b, 1);
    const g = random(`${seed}/${i}`, n, 0.3);
    if (i % PARAMS_PER_BLOCK === 1) g.forEach((v, j) => (g[j] = 1 + v));
    return g;
  });
}

function task(seed: string): EpisodeTask {
  const rng = createRng(seed);
  const images = (n: number) => Float32Array.from({ length: n * 784 }, () => (rng.next() < 0.2 ? rng.next() : 0));
  const labels = (per: number) => Int32Array.from({ length: way * per }, (_, i) => i % way);
  return { way, xs: images(way), ys: labels(1), xq: images(way * 3), yq: labels(3) };
}

beforeAll(() => {
  if ('unavailable' in simdGemm() || 'unavailable' in simdConvPasses()) throw new Error('no WebAssembly SIMD here');
  poisonClosedScopes(true);
});
afterAll(() => poisonClosedScopes(false));

describe('wasm scopes', () => {
  it('give the copying calls’ meta-gradients bit for bit, task after task, and hand out no view on the memory', () => {
    const theta = body('theta');
    for (const [algorithm, steps] of [
      ['maml2', 1],
      ['maml2', 2],
      ['maml1', 1],
      ['reptile', 2],
    ] as const) {
      const inner = { alpha: 0.4, steps };
      const scoped = theta.map((t) => new Float32Array(t.length));
      const copied = theta.map((t) => new Float32Array(t.length));
      for (const seed of ['a', 'b', 'c']) {
        taskMetaGradient(net, theta, task(seed), inner, algorithm, scoped, 1 / 3);
        // Outside a scope: every call copies.
        const { grads } =
          steps === 1 && (algorithm as string) !== 'reptile'
            ? zeroHeadStepGradient(net, theta, task(seed), inner.alpha, algorithm === 'maml2')
            : generalBlockGradient(net, theta, task(seed), inner, algorithm);
        copied.forEach((o, i) => o.forEach((_, k) => (o[k] += (1 / 3) * grads[i][k])));
      }
      expect(scoped.every((g) => g.every(Number.isFinite))).toBe(true);
      expect(scoped).toEqual(copied);
    }
    const r = wasmScope(() => generalBlockGradient(net, theta, task('d'), { alpha: 0.4, steps: 1 }, 'maml2'));
    expect(r.grads).toHaveLength(BODY_PARAMS);
    for (const g of r.grads) expect(onMemory(g)).toBe(false);
  });

  it('keep outputs in the memory inside, read them in place, and copy out what they return', () => {
    const a = random('a', 40 * 30);
    const b = random('b', 30 * 20);
    const c = random('c', 20 * 10);
    const want = gemm.mul(gemm.mul(a, b, 40, 30, 20, false, false), c, 40, 20, 10, false, false);
    const got = wasmScope(() => {
      const ab = gemm.mul(a, b, 40, 30, 20, false, false);
      expect(onMemory(ab)).toBe(true); // a view inside the scope
      return { product: gemm.mul(ab, c, 40, 20, 10, false, false) };
    });
    expect(onMemory(got.product)).toBe(false);
    wasmScope(() => gemm.mul(random('junk', 64 * 64), random('junk2', 64 * 64), 64, 64, 64, false, false));
    expect(got.product).toEqual(want);
  });

  it('that run out of room grow the memory and run again, with the same result', () => {
    const n = 3000; // two outer products of 36 MB each: past the 64 MB a scope starts with
    const [u, v, w] = ['u', 'v', 'w'].map((s) => random(s, n));
    const b = random('b', n * 8);
    const run = () => {
      const uv = gemm.mul(u, v, n, 1, n, false, false);
      const uw = gemm.mul(u, w, n, 1, n, false, false);
      return [gemm.mul(uv, b, n, n, 8, false, false), gemm.mul(uw, b, n, n, 8, false, false)];
    };
    const want = run();
    let runs = 0;
    const got = wasmScope(() => {
      runs++;
      return run();
    });
    expect(runs).toBe(2);
    expect(got).toEqual(want);
    runs = 0;
    wasmScope(() => {
      runs++;
      return run();
    });
    expect(runs).toBe(1); // the next scope starts with the room the last one needed
  });
});
