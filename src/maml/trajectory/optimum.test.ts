import { describe, expect, it } from 'vitest';
import * as tf from '../tf';
import { adapt } from '../algorithm/adapt';
import { mseLoss } from '../losses';
import { initMlpValues, mlpForward, mlpShapes, type Params } from '../networks/mlp';
import { createRng } from '../random';
import { samplePoints, sampleSinusoidTask, sinusoid, type SinusoidTask } from '../sinusoid/tasks';
import { fitTaskOptima, fitTaskOptimaSgd, innerPaths } from './optimum';
import { flatten, unflatten } from './snapshots';

const SIZES = [1, 40, 40, 1];
const SHAPES = mlpShapes(SIZES);
const LENGTHS = SHAPES.map((s) => s.reduce((a, b) => a * b, 1));

function makeTheta(seed: number): { theta: tf.Tensor[]; values: Float32Array[] } {
  const values = initMlpValues(SIZES, createRng(seed));
  return { theta: values.map((v, i) => tf.tensor(v, SHAPES[i])), values };
}

/** MSE of flattened parameters against the true function on a dense grid over [-5, 5]. */
async function gridMse(flat: Float32Array, task: SinusoidTask): Promise<number> {
  const grid = Float32Array.from({ length: 201 }, (_, i) => -5 + i / 20);
  const truth = grid.map((x) => sinusoid(task, x));
  const loss = tf.tidy(() => {
    const params = unflatten(flat, LENGTHS).map((v, i) => tf.tensor(v, SHAPES[i]));
    return mseLoss(mlpForward(params, tf.tensor2d(grid, [grid.length, 1])), tf.tensor2d(truth, [truth.length, 1]));
  });
  const value = (await loss.data())[0];
  loss.dispose();
  return value;
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, j) => Math.max(m, Math.abs(v - b[j])), 0);

describe('fitTaskOptima', () => {
  it('fits three tasks with amplitudes up to 5 from a random init to a low MSE, leaking no tensors', async () => {
    const { theta, values } = makeTheta(11);
    const rng = createRng(12);
    const tasks: SinusoidTask[] = [{ amplitude: 5, phase: 2.5 }, { amplitude: 4.5, phase: 0.3 }, sampleSinusoidTask(rng)];
    const before = tf.memory().numTensors;
    const t0 = performance.now();
    // From a random init (not a meta-learned theta) amplitude-5 tasks need more steps than
    // the default: measured over 6 inits x 5 tasks (3 of amplitude >= 4.5), 600 steps at a
    // peak rate of 0.05 left 27 of 30 fits below 0.05 (median 0.004); the other three
    // stalled at 0.12-0.24 (too few ReLU kinks near the ends of [-5, 5] in PyTorch's init),
    // so this test pins its seeds.
    const fit = await fitTaskOptima(theta, tasks, { rng, steps: 600, lr: 0.05 });
    const ms = performance.now() - t0;
    expect(tf.memory().numTensors).toBe(before);
    const grid = await Promise.all(fit.optima.map((o, i) => gridMse(o, tasks[i])));
    console.log(
      `fitTaskOptima, 3 tasks x 600 steps from random init: ${ms.toFixed(0)} ms; ` +
        `fit MSE ${fit.losses.map((l) => l.toFixed(4)).join(' ')}; grid MSE ${grid.map((l) => l.toFixed(4)).join(' ')}`,
    );
    expect(fit.optima).toHaveLength(3);
    expect(fit.losses).toHaveLength(3);
    for (let t = 0; t < 3; t++) {
      expect(fit.optima[t]).toHaveLength(flatten(values).length);
      expect(fit.losses[t]).toBeLessThan(0.05);
      expect(grid[t]).toBeLessThan(0.1); // the fit holds between its 100 points too
    }
    // theta itself is untouched.
    const after = await Promise.all(theta.map((p) => p.data()));
    after.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(values[i])));
    tf.dispose(theta);
  });

  it('fits five tasks with the defaults (300 steps) and reports its time', async () => {
    const { theta } = makeTheta(21);
    const rng = createRng(22);
    const tasks = Array.from({ length: 5 }, () => sampleSinusoidTask(rng));
    const before = tf.memory().numTensors;
    let pauses = 0;
    const t0 = performance.now();
    const fit = await fitTaskOptima(theta, tasks, {
      rng,
      pause: async () => {
        pauses++;
      },
    });
    const ms = performance.now() - t0;
    expect(tf.memory().numTensors).toBe(before);
    console.log(
      `fitTaskOptima, 5 tasks x 300 steps (defaults) from random init on ${tf.getBackend()}: ${ms.toFixed(0)} ms; ` +
        `fit MSE ${fit.losses.map((l) => l.toFixed(4)).join(' ')} (amplitudes ${tasks.map((t) => t.amplitude.toFixed(1)).join(' ')})`,
    );
    expect(pauses).toBe(5); // every 50 steps, not after the last
    for (const l of fit.losses) {
      expect(Number.isFinite(l)).toBe(true);
      expect(l).toBeLessThan(0.5);
    }
    tf.dispose(theta);
  });

  it('handles no tasks and zero steps', async () => {
    const { theta, values } = makeTheta(5);
    const before = tf.memory().numTensors;
    expect(await fitTaskOptima(theta, [], { rng: createRng(1) })).toEqual({ optima: [], losses: [] });
    const fit = await fitTaskOptima(theta, [{ amplitude: 1, phase: 0 }], { rng: createRng(1), steps: 0 });
    expect(Array.from(fit.optima[0])).toEqual(Array.from(flatten(values)));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(theta);
  });
});

describe('fitTaskOptimaSgd', () => {
  it("is the trajectory view's tfjs fit (plain gradient descent, constant rate) on arrays: same optima up to float32 rounding, far faster", async () => {
    const { theta, values } = makeTheta(11);
    const tasks = Array.from({ length: 5 }, (_, i) => sampleSinusoidTask(createRng(`sgd/${i}`)));
    const opts = { steps: 150, lr: 0.02 };
    const t0 = performance.now();
    const ref = await fitTaskOptima(theta, tasks, { ...opts, rng: createRng('points'), optimizer: 'sgd', schedule: 'constant' });
    const t1 = performance.now();
    const got = await fitTaskOptimaSgd(values, SIZES, tasks, { ...opts, rng: createRng('points') });
    const t2 = performance.now();
    console.log(`5 tasks x 150 steps: tfjs on ${tf.getBackend()} ${(t1 - t0).toFixed(0)} ms, arrays ${(t2 - t1).toFixed(0)} ms`);
    const start = flatten(values);
    for (let t = 0; t < tasks.length; t++) {
      // The fit moves theta far (about 1 in norm): a wrong gradient, rate or step count moves it elsewhere.
      const moved = Math.sqrt(ref.optima[t].reduce((a, v, j) => a + (v - start[j]) ** 2, 0));
      expect(moved).toBeGreaterThan(0.1);
      expect(maxAbsDiff(got.optima[t], ref.optima[t])).toBeLessThan(1e-4 * Math.max(1, moved));
      expect(got.losses[t]).toBeCloseTo(ref.losses[t], 4);
    }
    // Theta itself is not modified.
    expect(Array.from(flatten(values))).toEqual(Array.from(start));
    tf.dispose(theta);
  });

  it('handles no tasks and zero steps', async () => {
    const { values } = makeTheta(5);
    expect(await fitTaskOptimaSgd(values, SIZES, [], { rng: createRng(1), lr: 0.02 })).toEqual({ optima: [], losses: [] });
    const fit = await fitTaskOptimaSgd(values, SIZES, [{ amplitude: 1, phase: 0 }], { rng: createRng(1), lr: 0.02, steps: 0 });
    expect(Array.from(fit.optima[0])).toEqual(Array.from(flatten(values)));
  });
});

describe('innerPaths', () => {
  /** The inner loop of one task, unbatched, as the reference. */
  async function referencePath(theta: tf.Tensor[], x: ArrayLike<number>, y: ArrayLike<number>, alpha: number, steps: number) {
    const stacked = tf.tidy(() => {
      const n = x.length;
      const xs = tf.tensor2d(Array.from(x), [n, 1]);
      const ys = tf.tensor2d(Array.from(y), [n, 1]);
      const path: Params[] =
        n > 0 ? adapt(theta, (p) => mseLoss(mlpForward(p, xs), ys), { alpha, steps }) : new Array(steps + 1).fill(theta);
      return tf.stack(path.map((p) => tf.concat(p.map((q) => q.reshape([-1])))));
    });
    const data = (await stacked.data()) as Float32Array;
    stacked.dispose();
    const D = data.length / (steps + 1);
    return Array.from({ length: steps + 1 }, (_, s) => data.slice(s * D, (s + 1) * D));
  }

  it('matches each task adapted on its own, for equal and unequal support sizes', async () => {
    const { theta, values } = makeTheta(31);
    const rng = createRng(32);
    const alpha = 0.01;
    const steps = 5;
    for (const sizes of [
      [10, 10, 10, 10, 10],
      [10, 3, 0, 7],
    ]) {
      const supports = sizes.map((n) => samplePoints(rng, sampleSinusoidTask(rng), n));
      const before = tf.memory().numTensors;
      const paths = await innerPaths(theta, supports, alpha, steps);
      expect(tf.memory().numTensors).toBe(before);
      expect(paths).toHaveLength(sizes.length);
      for (let t = 0; t < sizes.length; t++) {
        expect(paths[t]).toHaveLength(steps + 1);
        expect(Array.from(paths[t][0])).toEqual(Array.from(flatten(values))); // step 0 is theta
        const ref = await referencePath(theta, supports[t].x, supports[t].y, alpha, steps);
        let moved = 0;
        for (let s = 0; s <= steps; s++) {
          expect(maxAbsDiff(paths[t][s], ref[s])).toBeLessThan(1e-5);
          moved = Math.max(moved, maxAbsDiff(paths[t][s], paths[t][0]));
        }
        if (sizes[t] === 0) expect(moved).toBe(0);
        else expect(moved).toBeGreaterThan(1e-4);
      }
    }
    expect(await innerPaths(theta, [], alpha, steps)).toEqual([]);
    tf.dispose(theta);
  });
});
