import * as tf from '../tf';
import type { Params } from '../networks/mlp';

/** A loss over (possibly per-task) parameters: the per-task losses, summed by adapt. */
export type LossFn = (params: Params) => tf.Tensor;

export interface InnerLoop {
  /** Inner learning rate alpha. */
  alpha: number;
  /** Number of inner gradient steps. */
  steps: number;
}

/**
 * The inner loop: `steps` plain gradient steps from `params` on `loss`.
 * Returns the parameters after every step, [params, step1, ..., stepK].
 *
 * Called inside an outer tf.grads, the gradient ops are recorded too, so the
 * outer gradient is exact (second order). Called outside one, no tape records
 * them: that is first-order MAML.
 *
 * With per-task parameters [T, ...] the loss is the sum of the per-task losses:
 * each task's gradient is then that task's own gradient, all computed at once.
 */
export function adapt(params: Params, loss: LossFn, inner: InnerLoop): Params[] {
  const path: Params[] = [params];
  let current = params;
  for (let s = 0; s < inner.steps; s++) {
    const grads = tf.grads((...p: tf.Tensor[]) => tf.sum(loss(p)) as tf.Scalar)(current);
    current = current.map((p, i) => tf.sub(p, tf.mul(grads[i], inner.alpha)));
    path.push(current);
  }
  return path;
}
