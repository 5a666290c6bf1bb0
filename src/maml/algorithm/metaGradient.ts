import * as tf from '../tf';
import { adapt, type InnerLoop } from './adapt';
import { sumOverTasks, tileParams, type Params } from '../networks/mlp';
import type { Algorithm } from './algorithm';

export { ALGORITHMS, ALGORITHM_LABELS, type Algorithm } from './algorithm';

/** A model as pure functions of explicit parameters, with a per-task loss. */
export interface Objective {
  shapes: number[][];
  forward(params: Params, x: tf.Tensor): tf.Tensor;
  /** Per-task loss: [T] for per-task predictions [T, N, ...]. */
  loss(pred: tf.Tensor, y: tf.Tensor): tf.Tensor;
}

/** A meta-batch as tensors with a leading task axis: support [T, K, ...] and query [T, Q, ...]. */
export interface MetaBatch {
  xs: tf.Tensor;
  ys: tf.Tensor;
  xq: tf.Tensor;
  yq: tf.Tensor;
}

export interface MetaStep {
  /** Gradient of the meta-objective for each shared parameter. */
  grads: Params;
  /** Mean query loss at the shared parameters, before adaptation. */
  preLoss: tf.Scalar;
  /** Mean query loss after the inner loop on the support set. */
  postLoss: tf.Scalar;
}

const tasksOf = (batch: MetaBatch) => batch.xs.shape[0];

function supportLoss(obj: Objective, batch: MetaBatch) {
  return (p: Params) => obj.loss(obj.forward(p, batch.xs), batch.ys);
}

function queryLoss(obj: Objective, batch: MetaBatch, p: Params): tf.Scalar {
  return tf.mean(obj.loss(obj.forward(p, batch.xq), batch.yq));
}

/** Mean query loss after adapting each task on its support set (no gradient recorded). */
export function adaptedQueryLoss(obj: Objective, theta: Params, batch: MetaBatch, inner: InnerLoop): tf.Scalar {
  return tf.tidy(() => {
    const path = adapt(tileParams(theta, tasksOf(batch)), supportLoss(obj, batch), inner);
    return queryLoss(obj, batch, path[path.length - 1]);
  });
}

function preAdaptationLoss(obj: Objective, theta: Params, batch: MetaBatch): tf.Scalar {
  return tf.tidy(() => queryLoss(obj, batch, tileParams(theta, tasksOf(batch))));
}

/**
 * One meta-gradient of the chosen algorithm. All tasks of the meta-batch run as
 * one batched computation (per-task parameters with a leading task axis).
 */
export function metaGradient(algorithm: Algorithm, obj: Objective, theta: Params, batch: MetaBatch, inner: InnerLoop): MetaStep {
  const T = tasksOf(batch);
  const preLoss = preAdaptationLoss(obj, theta, batch);
  switch (algorithm) {
    case 'maml2': {
      // The inner loop runs inside the outer tape: d(post-loss)/d(theta) includes the Hessian terms.
      const { value, grads } = tf.valueAndGrads((...th: tf.Tensor[]) => {
        const path = adapt(tileParams(th, T), supportLoss(obj, batch), inner);
        return queryLoss(obj, batch, path[path.length - 1]);
      })(theta);
      return { grads, preLoss, postLoss: value };
    }
    case 'maml1': {
      // The inner loop runs with no outer tape: the adapted parameters are constants,
      // and the query gradient at them is taken as the gradient at theta.
      return tf.tidy(() => {
        const path = adapt(tileParams(theta, T), supportLoss(obj, batch), inner);
        const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => queryLoss(obj, batch, p))(path[path.length - 1]);
        return { grads: sumOverTasks(grads, obj.shapes), preLoss, postLoss: value };
      });
    }
    case 'reptile': {
      // Reptile (Nichol et al. 2018): train on all of each task's points, then move theta
      // towards the mean adapted parameters; theta - mean(phi) plays the gradient's part.
      return tf.tidy(() => {
        const all: MetaBatch = {
          xs: tf.concat([batch.xs, batch.xq], 1),
          ys: tf.concat([batch.ys, batch.yq], 1),
          xq: batch.xq,
          yq: batch.yq,
        };
        const path = adapt(tileParams(theta, T), supportLoss(obj, all), inner);
        const phi = path[path.length - 1];
        const grads = theta.map((th, i) => tf.sub(th, tf.div(tf.sum(phi[i], 0).reshape(obj.shapes[i]), T)));
        return { grads, preLoss, postLoss: adaptedQueryLoss(obj, theta, batch, inner) };
      });
    }
    case 'pretrained': {
      // The transfer baseline: one network fitted to all tasks pooled, with no inner loop.
      return tf.tidy(() => {
        const { grads } = tf.valueAndGrads((...th: tf.Tensor[]) => {
          const p = tileParams(th, T);
          const s = tf.mean(obj.loss(obj.forward(p, batch.xs), batch.ys));
          return tf.div(tf.add(s, queryLoss(obj, batch, p)), 2) as tf.Scalar;
        })(theta);
        return { grads, preLoss, postLoss: adaptedQueryLoss(obj, theta, batch, inner) };
      });
    }
  }
}
