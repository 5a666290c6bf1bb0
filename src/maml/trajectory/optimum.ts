/**
 * The per-task points of the trajectory picture, in the flattened parameter space of the
 * shared MLP (the layout of `flatten` over [W0, b0, W1, b1, ...], each row-major):
 * - each task's optimum theta_i*: the task fitted from theta on many points for many steps;
 * - each task's inner-loop path theta -> theta_i(1) -> ... -> theta_i(k) on its support set.
 * All tasks run as one batched computation with per-task parameters; results are read back
 * with one asynchronous `data()` (never `dataSync`, which breaks on WebGPU in a worker), and
 * every tensor made here is disposed.
 */
import * as tf from '../tf';
import { adapt } from '../algorithm/adapt';
import { axpyInPlace } from '../algorithm/maml';
import { mseLoss } from '../losses';
import { mlpForward, tileParams, type Params } from '../networks/mlp';
import type { Rng } from '../random';
import { PAPER_SINUSOID, samplePoints, type RegressionBatch, type SinusoidFamily, type SinusoidTask } from '../sinusoid/tasks';
import { FusedMlpMaml } from '../sinusoid/fusedMaml';
import { flatten } from './snapshots';

export interface FitOptimaOptions {
  /** Source of the fitting points (drawn task by task, in order). */
  rng: Rng;
  /** Points per task, uniform on the family's x range (default 100). */
  points?: number;
  /** Optimisation steps, full batch (default 300). */
  steps?: number;
  /**
   * Peak learning rate (default 0.03). With the default cosine schedule it decays from
   * `lr` to lr / 100 over the steps, which settles the fit far closer to an optimum than a
   * constant rate for the same number of steps.
   */
  lr?: number;
  /** 'cosine' (default) or 'constant' learning rate. */
  schedule?: 'cosine' | 'constant';
  /**
   * 'adam' (default): per task independent Adam (its moments are elementwise and the
   * tasks' losses are summed, so the tasks do not interact). 'sgd': plain gradient
   * descent, which stays closer to theta but converges far more slowly (needs a smaller lr).
   */
  optimizer?: 'adam' | 'sgd';
  /** Task family (its x range is where the points are drawn). Default: the paper's. */
  family?: SinusoidFamily;
  /** Awaited every `yieldEvery` steps (e.g. to let a worker handle its messages). */
  pause?: () => Promise<void>;
  /** Steps between `pause` calls (default 50). */
  yieldEvery?: number;
}

export interface TaskOptima {
  /** Per task, the fitted parameters flattened (same layout as `flatten(theta values)`). */
  optima: Float32Array[];
  /** Per task, the MSE of the fitted parameters on its fitting points, after the last step. */
  losses: number[];
}

/** Stacks per-task parameters [T, ...] into one [T, D] tensor, in flatten's layout. */
function flattenPerTask(params: Params, tasks: number): tf.Tensor2D {
  return tf.concat(
    params.map((p) => p.reshape([tasks, -1])),
    1,
  ) as tf.Tensor2D;
}

/** Splits a row-major [rows, D] buffer into per-row copies. */
function rows(data: Float32Array, count: number): Float32Array[] {
  const width = count === 0 ? 0 : data.length / count;
  return Array.from({ length: count }, (_, r) => data.slice(r * width, (r + 1) * width));
}

/** Final rate of the cosine schedule, as a fraction of the peak rate. */
const COSINE_FLOOR = 0.01;

/** Cosine decay from `lr` at step 0 towards lr * COSINE_FLOOR at the last step. */
function cosineRate(lr: number, step: number, steps: number): number {
  const progress = steps > 1 ? step / (steps - 1) : 0;
  return lr * (COSINE_FLOOR + (1 - COSINE_FLOOR) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/**
 * Adam reads its `learningRate` field at every update; SGD keeps the rate as a tensor that
 * only `setLearningRate` replaces. (tfjs optimisers override `instanceof`: any optimiser
 * passes `instanceof SGDOptimizer`, so the kind is passed in.)
 */
function setLearningRate(optimizer: tf.AdamOptimizer | tf.SGDOptimizer, kind: 'adam' | 'sgd', lr: number) {
  if (kind === 'sgd') (optimizer as tf.SGDOptimizer).setLearningRate(lr);
  else (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

/**
 * Fits every task from `theta` (shared, unbatched MLP parameters; not modified) on
 * `points` fresh points for `steps` full-batch steps, all tasks at once.
 */
export async function fitTaskOptima(
  theta: readonly tf.Tensor[],
  tasks: readonly SinusoidTask[],
  opts: FitOptimaOptions,
): Promise<TaskOptima> {
  const T = tasks.length;
  if (T === 0) return { optima: [], losses: [] };
  const points = opts.points ?? 100;
  const steps = opts.steps ?? 300;
  const kind = opts.optimizer ?? 'adam';
  const lr = opts.lr ?? 0.03;
  const schedule = opts.schedule ?? 'cosine';
  const family = opts.family ?? PAPER_SINUSOID;
  const yieldEvery = opts.yieldEvery ?? 50;
  if (!(points > 0) || !Number.isInteger(points)) throw new Error(`fitTaskOptima: points must be a positive integer, got ${points}`);
  if (!(steps >= 0) || !Number.isInteger(steps)) throw new Error(`fitTaskOptima: steps must be a non-negative integer, got ${steps}`);

  const xs = new Float32Array(T * points);
  const ys = new Float32Array(T * points);
  tasks.forEach((task, t) => {
    const p = samplePoints(opts.rng, task, points, family);
    xs.set(p.x, t * points);
    ys.set(p.y, t * points);
  });

  const x = tf.tensor3d(xs, [T, points, 1]);
  const y = tf.tensor3d(ys, [T, points, 1]);
  const vars = tf.tidy(() => tileParams([...theta], T).map((p) => tf.variable(p, true)));
  const optimizer = kind === 'adam' ? tf.train.adam(lr) : tf.train.sgd(lr);
  try {
    const objective = () => tf.sum(mseLoss(mlpForward(vars, x), y)) as tf.Scalar;
    for (let s = 0; s < steps; s++) {
      if (schedule === 'cosine') setLearningRate(optimizer, kind, cosineRate(lr, s, steps));
      optimizer.minimize(objective, false, vars);
      if (opts.pause && (s + 1) % yieldEvery === 0 && s + 1 < steps) await opts.pause();
    }
    const [flat, loss] = tf.tidy(() => [flattenPerTask(vars, T), mseLoss(mlpForward(vars, x), y)]);
    try {
      const [flatData, lossData] = await Promise.all([flat.data(), loss.data()]);
      return { optima: rows(flatData as Float32Array, T), losses: Array.from(lossData) };
    } finally {
      tf.dispose([flat, loss]);
    }
  } finally {
    optimizer.dispose();
    tf.dispose([x, y, ...vars]);
  }
}

export interface FitOptimaSgdOptions {
  /** Source of the fitting points (drawn task by task, in order, as fitTaskOptima draws them). */
  rng: Rng;
  /** Points per task (default 100). */
  points?: number;
  /** Full-batch gradient steps (default 150). */
  steps?: number;
  /** The constant learning rate. */
  lr: number;
  /** Task family (its x range is where the points are drawn). Default: the paper's. */
  family?: SinusoidFamily;
  pause?: () => Promise<void>;
  /** Steps between `pause` calls (default 10). */
  yieldEvery?: number;
}

/**
 * fitTaskOptima with plain gradient descent at a constant rate, on arrays: each step is the
 * fused kernel's full-batch MSE gradient (a meta-gradient with no inner steps), so no tfjs op
 * is launched. The trajectory view refits five tasks for two learners every few seconds,
 * and on tfjs that took seconds of the worker's time (some 16 ms a step here); this takes
 * a small fraction of it. Same points, same steps: equal to the tfjs fit up to float32
 * rounding (optimum.test.ts).
 */
export async function fitTaskOptimaSgd(
  theta: readonly Float32Array[],
  sizes: readonly number[],
  tasks: readonly SinusoidTask[],
  opts: FitOptimaSgdOptions,
): Promise<TaskOptima> {
  const points = opts.points ?? 100;
  const steps = opts.steps ?? 150;
  const yieldEvery = opts.yieldEvery ?? 10;
  const family = opts.family ?? PAPER_SINUSOID;
  if (!(points > 0) || !Number.isInteger(points)) throw new Error(`fitTaskOptimaSgd: points must be a positive integer, got ${points}`);
  if (!(steps >= 0) || !Number.isInteger(steps)) throw new Error(`fitTaskOptimaSgd: steps must be a non-negative integer, got ${steps}`);
  if (tasks.length === 0) return { optima: [], losses: [] };
  const kernel = new FusedMlpMaml([...sizes], 1, 1, points);
  const none = new Float32Array(sizes[0]);
  const batches: RegressionBatch[] = tasks.map((task) => {
    const p = samplePoints(opts.rng, task, points, family);
    return { tasks: 1, shots: 1, queries: points, xs: none, ys: new Float32Array(sizes[sizes.length - 1]), xq: p.x, yq: p.y };
  });
  const params = tasks.map(() => theta.map((p) => p.slice()));
  const gradientAt = { alpha: 0, steps: 0, order: 1 as const };
  for (let s = 0; s < steps; s++) {
    for (let t = 0; t < tasks.length; t++) {
      axpyInPlace(params[t], -opts.lr, kernel.metaGradient(params[t], batches[t], gradientAt).grads);
    }
    if (opts.pause && (s + 1) % yieldEvery === 0 && s + 1 < steps) await opts.pause();
  }
  const losses = params.map((p, t) => kernel.metaGradient(p, batches[t], gradientAt).postLoss);
  return { optima: params.map(flatten), losses };
}

/** A task's support set: x and y of equal length (may differ between tasks). */
export interface SupportSet {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/**
 * The inner loop from `theta` for each task on its support set: `steps` plain gradient
 * steps with rate `alpha` (the meta-learner's own inner loop, `adapt`), all tasks batched.
 * Returns, per task, the flattened parameters after each step 0..steps (step 0 is theta).
 *
 * Tasks whose support sets differ in size are padded and masked (each task's loss is still
 * the mean over its own points); a task without points stays at theta.
 */
export async function innerPaths(
  theta: readonly tf.Tensor[],
  supports: readonly SupportSet[],
  alpha: number,
  steps: number,
): Promise<Float32Array[][]> {
  const T = supports.length;
  if (T === 0) return [];
  if (!(steps >= 0) || !Number.isInteger(steps)) throw new Error(`innerPaths: steps must be a non-negative integer, got ${steps}`);
  const sizes = supports.map((s) => {
    if (s.x.length !== s.y.length) throw new Error(`innerPaths: support x has ${s.x.length} points, y ${s.y.length}`);
    return s.x.length;
  });
  const N = Math.max(...sizes);
  const equal = sizes.every((n) => n === N);

  const stacked = tf.tidy(() => {
    const perTask = tileParams([...theta], T);
    let path: Params[];
    if (N === 0) {
      path = new Array<Params>(steps + 1).fill(perTask);
    } else {
      const xs = new Float32Array(T * N);
      const ys = new Float32Array(T * N);
      const mask = new Float32Array(T * N);
      const scale = new Float32Array(T);
      supports.forEach((s, t) => {
        for (let i = 0; i < s.x.length; i++) {
          xs[t * N + i] = s.x[i];
          ys[t * N + i] = s.y[i];
          mask[t * N + i] = 1;
        }
        scale[t] = s.x.length > 0 ? 1 / s.x.length : 0;
      });
      const x = tf.tensor3d(xs, [T, N, 1]);
      const y = tf.tensor3d(ys, [T, N, 1]);
      let loss: (p: Params) => tf.Tensor;
      if (equal) {
        loss = (p) => mseLoss(mlpForward(p, x), y);
      } else {
        const m = tf.tensor3d(mask, [T, N, 1]);
        const w = tf.tensor1d(scale);
        loss = (p) => {
          const d = tf.mul(tf.sub(mlpForward(p, x), y), m);
          return tf.mul(tf.sum(tf.mul(d, d), [1, 2]), w);
        };
      }
      path = adapt(perTask, loss, { alpha, steps });
    }
    return tf.stack(path.map((p) => flattenPerTask(p, T))) as tf.Tensor3D; // [steps + 1, T, D]
  });
  try {
    const data = (await stacked.data()) as Float32Array;
    const D = stacked.shape[2];
    const S = steps + 1;
    return Array.from({ length: T }, (_, t) => Array.from({ length: S }, (_, s) => data.slice((s * T + t) * D, (s * T + t + 1) * D)));
  } finally {
    stacked.dispose();
  }
}
