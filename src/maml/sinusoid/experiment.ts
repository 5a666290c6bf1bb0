import * as tf from '../tf';
import { adapt } from '../algorithm/adapt';
import type { MetaBatch, Objective } from '../algorithm/metaGradient';
import { mseLoss } from '../losses';
import { mlpForward, mlpShapes, tileParams, type Params } from '../networks/mlp';
import type { Rng } from '../random';
import { PAPER_SINUSOID, samplePoints, sampleSinusoidTask, type RegressionBatch } from './tasks';

export { PAPER_SINUSOID_CONFIG, type SinusoidConfig } from './config';

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

/** What happened at each inner step of one task's adaptation. */
export interface AdaptationTrace {
  /** [steps + 1, grid] predictions, step 0 (the initialisation) first. */
  curves: tf.Tensor2D;
  /** Support MSE at each step 0..steps. */
  supportLoss: tf.Tensor1D;
  /** MSE against the true function on the grid at each step 0..steps. */
  queryLoss: tf.Tensor1D;
  /** [steps, layers]: norm of each layer's gradient (weights and bias) at steps 0..steps-1. */
  gradNorms: tf.Tensor2D;
  /** [steps]: size of each update, alpha times the whole gradient's norm. */
  updateSize: tf.Tensor1D;
}

/**
 * Adapts one task from `theta` on its support points and records every inner step:
 * predictions on `grid`, support loss, loss against `truth` on the grid, each layer's
 * gradient norm and the update size (from the differences between consecutive steps).
 */
export function adaptationTrace(
  theta: Params,
  support: { x: ArrayLike<number>; y: ArrayLike<number> },
  grid: Float32Array,
  truth: Float32Array,
  alpha: number,
  steps: number,
): AdaptationTrace {
  return tf.tidy(() => {
    const n = support.x.length;
    const xs = tf.tensor2d(Array.from(support.x), [n, 1]);
    const ys = tf.tensor2d(Array.from(support.y), [n, 1]);
    const g = tf.tensor2d(grid, [grid.length, 1]);
    const t = tf.tensor2d(truth, [truth.length, 1]);
    const loss = (p: Params) => mseLoss(mlpForward(p, xs), ys);
    const path = n > 0 ? adapt(theta, loss, { alpha, steps }) : new Array(steps + 1).fill(theta);
    const preds = path.map((p) => mlpForward(p, g));
    const curves = tf.stack(preds.map((p) => p.reshape([grid.length]))) as tf.Tensor2D;
    const supportLoss = (n > 0 ? tf.stack(path.map((p) => loss(p))) : tf.zeros([steps + 1])) as tf.Tensor1D;
    const queryLoss = tf.stack(preds.map((p) => mseLoss(p, t))) as tf.Tensor1D;
    const layers = theta.length / 2;
    const sq = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.sub(a, b)));
    const rows = path
      .slice(1)
      .map((next, s) =>
        tf.stack(
          Array.from({ length: layers }, (_, l) =>
            tf.div(tf.sqrt(tf.add(sq(path[s][2 * l], next[2 * l]), sq(path[s][2 * l + 1], next[2 * l + 1]))), alpha),
          ),
        ),
      );
    const gradNorms = (rows.length ? tf.stack(rows) : tf.zeros([0, layers])) as tf.Tensor2D;
    const updateSize = (rows.length ? tf.mul(tf.sqrt(tf.sum(tf.square(gradNorms), 1)), alpha) : tf.zeros([0])) as tf.Tensor1D;
    return { curves, supportLoss, queryLoss, gradNorms, updateSize };
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
