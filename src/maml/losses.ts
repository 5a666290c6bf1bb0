import * as tf from './tf';

/**
 * Mean squared error per task. pred and y are [T, N, 1] (or [N, 1] for one task);
 * returns [T] (or a scalar). Every op here has an exact second derivative in tfjs.
 */
export function mseLoss(pred: tf.Tensor, y: tf.Tensor): tf.Tensor {
  const d = tf.sub(pred, y);
  const sq = tf.mul(d, d);
  return pred.rank === 3 ? tf.mean(sq, [1, 2]) : tf.mean(sq);
}
