import { describe, expect, it } from 'vitest';
import * as tf from '../tf';
import { initMlpValues, mlpShapes } from '../networks/mlp';
import { createRng } from '../random';
import { sampleSinusoidBatch } from './tasks';
import { sinusoidFixture, finiteDifferences, firstOrderGrad64, mamlLoss64, relativeError, type Task64 } from '../testing/float64Maml';
import { FusedMlpMaml, mamlMetaGradient as metaGradientOn } from './fusedMaml';
import { jsEngine, type DenseEngine } from './denseKernels';
import { simdEngine } from './denseSimd';
import { Adam } from '../optim/adam';

const sizes = [1, 40, 40, 1];
const T = 4;
const K = 10;

const setup = (seed: number) => sinusoidFixture(sizes, T, K, seed);

const relClose = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

const simd = simdEngine();

/** The float64 finite differences of a fixture, computed once for both engines (they are most of the time). */
const fdCache = new Map<string, Float64Array[]>();
function finiteDifferencesOnce(key: string, compute: () => Float64Array[]): Float64Array[] {
  if (!fdCache.has(key)) fdCache.set(key, compute());
  return fdCache.get(key)!;
}

it('WebAssembly SIMD kernels are available in Node', () => {
  expect('unavailable' in simd ? simd.unavailable : 'available').toBe('available');
});

// Every check runs on both kernel engines.
const engines: DenseEngine[] = 'unavailable' in simd ? [jsEngine] : [jsEngine, simd];
for (const engine of engines) {
  const mamlMetaGradient = (...a: Parameters<typeof metaGradientOn>) => metaGradientOn(a[0], a[1], a[2], a[3], a[4], engine);

  describe(`fused MLP MAML against float64 finite differences (${engine.name} kernels)`, () => {
    for (const steps of [1, 3]) {
      it(`second order is exact for ${steps} inner step(s); first order is the adapted query gradient`, () => {
        const alpha = 0.05;
        const { values, batch, tasks } = setup(steps);
        const theta64 = values.map((v) => Float64Array.from(v));
        const f = (p: Float64Array[]) => mamlLoss64(sizes, p, tasks, alpha, steps);
        const fd = finiteDifferencesOnce(`paper/${steps}`, () => finiteDifferences(f, theta64));

        const second = mamlMetaGradient(sizes, values, batch, { alpha, steps, order: 2 });
        const first = mamlMetaGradient(sizes, values, batch, { alpha, steps, order: 1 });
        const errSecond = relativeError(second.grads, fd);
        const errFirst = relativeError(first.grads, fd);
        const errFirstExact = relativeError(first.grads, firstOrderGrad64(sizes, theta64, tasks, alpha, steps));
        const errPost = relClose(second.postLoss, f(theta64));
        const errPre = relClose(second.preLoss, mamlLoss64(sizes, theta64, tasks, alpha, 0));
        console.log(
          `steps=${steps}: relative error vs FD: second-order ${errSecond.toExponential(2)}, ` +
            `first-order ${errFirst.toExponential(2)}; first-order vs firstOrderGrad64 ${errFirstExact.toExponential(2)}; ` +
            `postLoss ${errPost.toExponential(2)}, preLoss ${errPre.toExponential(2)}`,
        );
        expect(errSecond).toBeLessThan(1e-3);
        expect(errPost).toBeLessThan(1e-4);
        expect(errPre).toBeLessThan(1e-4);
        expect(first.postLoss).toBe(second.postLoss);
        expect(errFirstExact).toBeLessThan(1e-4);
        expect(errFirst).toBeGreaterThan(1e-2);
      });
    }

    // Other shapes: widths that are not a multiple of the kernels' blocks, and a single
    // hidden layer (then the layer-1 table feeds the head directly).
    for (const shape of [
      [1, 20, 1],
      [1, 7, 13, 5, 1],
    ]) {
      it(`second order is exact for sizes [${shape}]`, () => {
        const rng = createRng(shape.join());
        const values = initMlpValues(shape, rng);
        const batch = sampleSinusoidBatch(rng, 3, 6, 5);
        const tasks64: Task64[] = [];
        for (let t = 0; t < 3; t++) {
          const sl = (a: Float32Array, n: number) => a.subarray(t * n, (t + 1) * n);
          tasks64.push({ xs: sl(batch.xs, 6), ys: sl(batch.ys, 6), xq: sl(batch.xq, 5), yq: sl(batch.yq, 5) });
        }
        const theta64 = values.map((v) => Float64Array.from(v));
        const [alpha, steps] = [0.05, 2];
        const f = (p: Float64Array[]) => mamlLoss64(shape, p, tasks64, alpha, steps);
        const r = mamlMetaGradient(shape, values, batch, { alpha, steps, order: 2 });
        const err = relativeError(
          r.grads,
          finiteDifferencesOnce(`sizes/${shape}`, () => finiteDifferences(f, theta64)),
        );
        console.log(`sizes [${shape}]: second-order relative error vs FD ${err.toExponential(2)}`);
        expect(err).toBeLessThan(1e-3);
        expect(relClose(r.postLoss, f(theta64))).toBeLessThan(1e-4);
        expect(relClose(r.preLoss, mamlLoss64(shape, theta64, tasks64, alpha, 0))).toBeLessThan(1e-4);
      });
    }

    // Several inputs and outputs (the float64 reference handles one of each): against tfjs's
    // second-order gradients (tf.grads through tf.grad), both in float32.
    it('handles several inputs and outputs, matching tfjs second-order gradients', () => {
      const shape = [2, 12, 9, 3];
      const [din, dout, tasks, shots, queries] = [2, 3, 3, 6, 5];
      const rng = createRng('multi');
      const values = initMlpValues(shape, rng);
      const fill = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-2, 2));
      const batch = {
        tasks,
        shots,
        queries,
        xs: fill(tasks * shots * din),
        ys: fill(tasks * shots * dout),
        xq: fill(tasks * queries * din),
        yq: fill(tasks * queries * dout),
      };
      const [alpha, steps] = [0.05, 2];
      const r = mamlMetaGradient(shape, values, batch, { alpha, steps, order: 2 });

      const shapes = mlpShapes(shape);
      const forward = (p: tf.Tensor[], x: tf.Tensor) => {
        let h = x;
        for (let i = 0; i < p.length; i += 2) {
          h = tf.add(tf.matMul(h, p[i]), p[i + 1]);
          if (i + 2 < p.length) h = tf.relu(h);
        }
        return h;
      };
      const mse = (p: tf.Tensor[], x: tf.Tensor, y: tf.Tensor) => tf.mean(tf.square(tf.sub(forward(p, x), y))) as tf.Scalar;
      const expected = tf.tidy(() => {
        const rows = (a: Float32Array, n: number, d: number, t: number) => tf.tensor2d(a.subarray(t * n * d, (t + 1) * n * d), [n, d]);
        const meta = (...theta: tf.Tensor[]) => {
          const losses: tf.Scalar[] = [];
          for (let t = 0; t < tasks; t++) {
            const [xs, ys] = [rows(batch.xs, shots, din, t), rows(batch.ys, shots, dout, t)];
            let p = theta;
            for (let s = 0; s < steps; s++) {
              const g = tf.grads((...q: tf.Tensor[]) => mse(q, xs, ys))(p);
              p = p.map((w, i) => tf.sub(w, tf.mul(alpha, g[i])));
            }
            losses.push(mse(p, rows(batch.xq, queries, din, t), rows(batch.yq, queries, dout, t)));
          }
          return tf.div(tf.addN(losses), tasks) as tf.Scalar;
        };
        return tf.grads(meta)(values.map((v, i) => tf.tensor(v, shapes[i])));
      });
      const tfGrads = expected.map((g) => g.dataSync() as Float32Array);
      tf.dispose(expected);
      const err = relativeError(r.grads, tfGrads);
      console.log(`sizes [${shape}]: second-order relative difference from tfjs ${err.toExponential(2)}`);
      expect(err).toBeLessThan(1e-4);
    });

    it('with no inner steps both orders give the plain query gradient', () => {
      const { values, batch, tasks } = setup(7);
      const theta64 = values.map((v) => Float64Array.from(v));
      const exact = firstOrderGrad64(sizes, theta64, tasks, 0.05, 0);
      for (const order of [1, 2] as const) {
        const r = mamlMetaGradient(sizes, values, batch, { alpha: 0.05, steps: 0, order });
        expect(relativeError(r.grads, exact)).toBeLessThan(1e-4);
        expect(r.preLoss).toBe(r.postLoss);
      }
    });

    it('writes into out, leaves theta alone and gives the same result from a reused instance', () => {
      const { values, batch } = setup(11);
      const before = values.map((v) => v.slice());
      const maml = new FusedMlpMaml(sizes, T, K, K, engine);
      const opts = { alpha: 0.05, steps: 2, order: 2 } as const;
      const a = maml.metaGradient(values, batch, opts).grads.map((g) => g.slice());
      maml.metaGradient(values, batch, { alpha: 0.05, steps: 1, order: 1 }); // perturb the buffers
      const out = values.map((v) => new Float32Array(v.length));
      const b = maml.metaGradient(values, batch, opts, out);
      expect(b.grads).toBe(out);
      expect(out).toEqual(a);
      expect(values).toEqual(before);
    });

    it('rejects a batch of the wrong shape', () => {
      const { values, batch } = setup(3);
      const maml = new FusedMlpMaml(sizes, T + 1, K, K, engine);
      expect(() => maml.metaGradient(values, batch, { alpha: 0.05, steps: 1, order: 2 })).toThrow(/batch/);
    });
  });
}

describe('fused MAML training', () => {
  it('learns: 300 second-order meta-iterations at paper settings lower the post-adaptation loss', () => {
    const rng = createRng(42);
    const theta = initMlpValues(sizes, rng);
    const maml = new FusedMlpMaml(sizes, 25, 10, 10);
    const adam = new Adam(0.001);
    const post: number[] = [];
    for (let i = 0; i < 300; i++) {
      const batch = sampleSinusoidBatch(rng, 25, 10);
      const r = maml.metaGradient(theta, batch, { alpha: 0.01, steps: 1, order: 2 });
      adam.step(theta, r.grads);
      post.push(r.postLoss);
    }
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    const first = mean(post.slice(0, 50));
    const last = mean(post.slice(-50));
    console.log(`postLoss: first 50 iterations ${first.toFixed(3)}, last 50 ${last.toFixed(3)}`);
    expect(last).toBeLessThan(0.75 * first);
  });

  it('the SIMD and JavaScript kernels give the same meta-gradients to float32 rounding, and the same training', () => {
    if ('unavailable' in simd) throw new Error(simd.unavailable);
    const values = initMlpValues(sizes, createRng(5));
    const [a, b] = [jsEngine, simd].map((e) => new FusedMlpMaml(sizes, 25, 10, 10, e));
    const thetas = [values.map((v) => v.slice()), values.map((v) => v.slice())];
    const adams = [new Adam(0.001), new Adam(0.001)];
    let worst = 0;
    for (let i = 0; i < 100; i++) {
      const batch = sampleSinusoidBatch(createRng(`agree/${i}`), 25, 10);
      const opts = { alpha: 0.01, steps: 1 + (i % 3), order: 2 } as const;
      const ra = a.metaGradient(thetas[0], batch, opts);
      const rb = b.metaGradient(thetas[1], batch, opts);
      if (i === 0) worst = relativeError(rb.grads, ra.grads);
      adams[0].step(thetas[0], ra.grads);
      adams[1].step(thetas[1], rb.grads);
    }
    const drift = relativeError(thetas[1], thetas[0]);
    console.log(
      `SIMD vs JavaScript kernels: meta-gradient ${worst.toExponential(2)}, parameters after 100 Adam steps ${drift.toExponential(2)}`,
    );
    expect(worst).toBeLessThan(1e-5);
    expect(drift).toBeLessThan(1e-4);
  });
});
