import { describe, expect, it } from 'vitest';
import * as tf from '../tf';
import { batchTensors, sinusoidObjective, sizesOf } from '../sinusoid/experiment';
import { sinusoidFixture, finiteDifferences, firstOrderGrad64, mamlLoss64, relativeError } from '../testing/float64Maml';
import { metaGradient, type Algorithm } from './metaGradient';

const hidden = [40, 40];
const sizes = sizesOf(hidden);
const T = 4;
const K = 10;

const setup = (seed: number) => sinusoidFixture(sizes, T, K, seed);

async function tfjsGradient(algorithm: Algorithm, values: Float32Array[], batch: ReturnType<typeof setup>['batch'], alpha: number, steps: number) {
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
