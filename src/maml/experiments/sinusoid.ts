import * as tf from '../tf';
import { adapt } from '../algorithms/adapt';
import type { MetaBatch, Objective } from '../algorithms/metaGradient';
import { mseLoss } from '../losses';
import { mlpForward, mlpShapes, tileParams, type Params } from '../models/mlp';
import type { Rng } from '../random';
import { PAPER_SINUSOID, samplePoints, sampleSinusoidTask, type RegressionBatch } from '../tasks/sinusoid';

export { PAPER_SINUSOID_CONFIG, type SinusoidConfig } from './sinusoidConfig';

export const sizesOf = (hidden: number[]) => [1, ...hidden, 1];

export function sinusoidObjective(hidden: number[]): Objective {
  return { shapes: mlpShapes(sizesOf(hidden)), forward: mlpForward, loss: mseLoss };
}

export function batchTensors(b: RegressionBatch): MetaBatch {
  return {
    xs: tf.tensor3d(b.xs, [b.tasks, b.shots, 1]),
    ys: tf.tensor3d(b.ys, [b.tasks, b.shots, 1]),
    xq: tf.tensor3d(b.xq, [b.tasks, b.queries, 1]),
    yq: tf.tensor3d(b.yq, [b.tasks, b.queries, 1]),
  };
}

/**
 * Predictions on `grid` after each inner step 0..steps, adapting one task from `theta`
 * on its support points. Returns [steps + 1, grid.length] and the support loss per step.
 */
export function adaptationCurves(
  theta: Params,
  support: { x: ArrayLike<number>; y: ArrayLike<number> },
  grid: Float32Array,
  alpha: number,
  steps: number,
): { curves: tf.Tensor2D; supportLoss: tf.Tensor1D } {
  return tf.tidy(() => {
    const n = support.x.length;
    const xs = tf.tensor2d(Array.from(support.x), [n, 1]);
    const ys = tf.tensor2d(Array.from(support.y), [n, 1]);
    const g = tf.tensor2d(grid, [grid.length, 1]);
    const loss = (p: Params) => mseLoss(mlpForward(p, xs), ys);
    const path = n > 0 ? adapt(theta, loss, { alpha, steps }) : new Array(steps + 1).fill(theta);
    const curves = tf.stack(path.map((p) => mlpForward(p, g).reshape([grid.length]))) as tf.Tensor2D;
    const supportLoss = (n > 0 ? tf.stack(path.map((p) => loss(p))) : tf.zeros([steps + 1])) as tf.Tensor1D;
    return { curves, supportLoss };
  });
}

export interface SinusoidEvaluation {
  /** Inner steps at which the query MSE was measured. */
  steps: number[];
  /** Per evaluated step, the query MSE of each task. */
  mse: Float32Array[];
}

/**
 * Adapts `theta` to `tasks` new tasks with K support points each and measures the MSE
 * on `queries` fresh points per task after each of `steps` inner steps. Batched over tasks.
 */
export async function evaluateSinusoid(
  theta: Params,
  rng: Rng,
  opts: { tasks: number; shots: number; steps: number[]; alpha: number; queries?: number },
): Promise<SinusoidEvaluation> {
  const Q = opts.queries ?? 100;
  const maxSteps = Math.max(...opts.steps);
  const xs = new Float32Array(opts.tasks * opts.shots);
  const ys = new Float32Array(opts.tasks * opts.shots);
  const xq = new Float32Array(opts.tasks * Q);
  const yq = new Float32Array(opts.tasks * Q);
  for (let t = 0; t < opts.tasks; t++) {
    const task = sampleSinusoidTask(rng, PAPER_SINUSOID);
    const s = samplePoints(rng, task, opts.shots);
    const q = samplePoints(rng, task, Q);
    xs.set(s.x, t * opts.shots);
    ys.set(s.y, t * opts.shots);
    xq.set(q.x, t * Q);
    yq.set(q.y, t * Q);
  }
  const perStep = tf.tidy(() => {
    const T = opts.tasks;
    const sx = tf.tensor3d(xs, [T, opts.shots, 1]);
    const sy = tf.tensor3d(ys, [T, opts.shots, 1]);
    const qx = tf.tensor3d(xq, [T, Q, 1]);
    const qy = tf.tensor3d(yq, [T, Q, 1]);
    const path = adapt(tileParams(theta, T), (p) => mseLoss(mlpForward(p, sx), sy), {
      alpha: opts.alpha,
      steps: maxSteps,
    });
    return tf.stack(opts.steps.map((s) => mseLoss(mlpForward(path[s], qx), qy)));
  });
  const data = (await perStep.data()) as Float32Array;
  perStep.dispose();
  return {
    steps: opts.steps,
    mse: opts.steps.map((_, i) => data.slice(i * opts.tasks, (i + 1) * opts.tasks)),
  };
}
