import { describe, expect, it } from 'vitest';
import * as tf from '../tf';
import { batchTensors, sinusoidObjective, sizesOf } from '../sinusoid/experiment';
import { sinusoidFixture, finiteDifferences, firstOrderGrad64, mamlLoss64, mse64, mseGrad64, relativeError } from '../testing/float64Maml';
import { metaGradient, type Algorithm } from './metaGradient';

const hidden = [40, 40];
const sizes = sizesOf(hidden);
const T = 4;
const K = 10;

const setup = (seed: number) => sinusoidFixture(sizes, T, K, seed);

async function tfjsGradient(
  algorithm: Algorithm,
  values: Float32Array[],
  batch: ReturnType<typeof setup>['batch'],
  alpha: number,
  steps: number,
) {
  const obj = sinusoidObjective(hidden);
  const theta = values.map((v, i) => tf.tensor(v, obj.shapes[i]));
  const tensors = batchTensors(batch);
  const { grads, preLoss, postLoss } = metaGradient(algorithm, obj, theta, tensors, { alpha, steps });
  const out = await Promise.all(grads.map((g) => g.data()));
  const post = (await postLoss.data())[0];
  tf.dispose([theta, grads, preLoss, postLoss, Object.values(tensors)]);
  return { grads: out as Float32Array[], post };
}

describe('MAML meta-gradient against float64 finite differences', () => {
  for (const steps of [1, 3]) {
    it(`second order is exact for ${steps} inner step(s); first order differs`, async () => {
      const alpha = 0.05;
      const { values, batch, tasks } = setup(steps);
      const theta64 = values.map((v) => Float64Array.from(v));
      const f = (p: Float64Array[]) => mamlLoss64(sizes, p, tasks, alpha, steps);
      const fd = finiteDifferences(f, theta64);

      const second = await tfjsGradient('maml2', values, batch, alpha, steps);
      const first = await tfjsGradient('maml1', values, batch, alpha, steps);
      const errSecond = relativeError(second.grads, fd);
      const errFirst = relativeError(first.grads, fd);
      console.log(`steps=${steps}: relative error second-order ${errSecond.toExponential(2)}, first-order ${errFirst.toExponential(2)}`);
      expect(second.post).toBeCloseTo(f(theta64), 4);
      expect(errSecond).toBeLessThan(1e-3);
      expect(errFirst).toBeGreaterThan(1e-2);
      // First-order MAML is itself right: the query gradient at the adapted parameters.
      expect(relativeError(first.grads, firstOrderGrad64(sizes, theta64, tasks, alpha, steps))).toBeLessThan(1e-4);
    });
  }
});

describe('Reptile and the pretrained baseline on the tfjs path, against float64 references', () => {
  const alpha = 0.05;
  const f64 = (values: Float32Array[]) => values.map((v) => Float64Array.from(v));

  it("Reptile: theta minus the mean parameters after the inner steps on all of each task's points", async () => {
    const steps = 3;
    const { values, batch, tasks } = setup(11);
    const theta64 = f64(values);
    // The reference: SGD on support and queries together, then theta - mean(phi).
    const expected = theta64.map((a) => new Float64Array(a.length));
    for (const t of tasks) {
      const x = Float64Array.from([...Array.from(t.xs), ...Array.from(t.xq)]);
      const y = Float64Array.from([...Array.from(t.ys), ...Array.from(t.yq)]);
      let p = theta64.map((a) => Float64Array.from(a));
      for (let s = 0; s < steps; s++) {
        const g = mseGrad64(sizes, p, x, y);
        p = p.map((a, i) => a.map((v, j) => v - alpha * g[i][j]));
      }
      expected.forEach((e, i) => e.forEach((_, j) => (e[j] += (theta64[i][j] - p[i][j]) / tasks.length)));
    }
    const reptile = await tfjsGradient('reptile', values, batch, alpha, steps);
    const err = relativeError(reptile.grads, expected);
    console.log(`reptile: relative error ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-4);
    // Not MAML's gradient: the check can tell the two apart.
    const maml = finiteDifferences((p) => mamlLoss64(sizes, p, tasks, alpha, steps), theta64);
    expect(relativeError(reptile.grads, maml)).toBeGreaterThan(1e-2);
    // Its post-adaptation loss is MAML's objective at theta (the curves show the same quantity).
    expect(reptile.post).toBeCloseTo(mamlLoss64(sizes, theta64, tasks, alpha, steps), 4);
  });

  it('pretrained: the gradient of the pooled loss (support and queries of every task) at theta, no inner loop', async () => {
    const steps = 2;
    const { values, batch, tasks } = setup(12);
    const theta64 = f64(values);
    const pooled = (p: Float64Array[]) =>
      tasks.reduce((s, t) => s + (mse64(sizes, p, t.xs, t.ys) + mse64(sizes, p, t.xq, t.yq)) / 2, 0) / tasks.length;
    const fd = finiteDifferences(pooled, theta64);
    const pre = await tfjsGradient('pretrained', values, batch, alpha, steps);
    const err = relativeError(pre.grads, fd);
    console.log(`pretrained: relative error ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-3);
    const maml = finiteDifferences((p) => mamlLoss64(sizes, p, tasks, alpha, steps), theta64);
    expect(relativeError(pre.grads, maml)).toBeGreaterThan(1e-2);
    expect(pre.post).toBeCloseTo(mamlLoss64(sizes, theta64, tasks, alpha, steps), 4);
  });
});
