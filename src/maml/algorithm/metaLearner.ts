import * as tf from '../tf';
import type { InnerLoop } from './adapt';
import type { LearnerState } from '../checkpoint';
import type { Learner } from './learner';
import { metaGradient, type Algorithm, type MetaBatch, type Objective } from './metaGradient';

export interface LearnerConfig {
  algorithm: Algorithm;
  inner: InnerLoop;
  /** Adam's learning rate for the outer (meta) update, beta in the paper. */
  metaLr: number;
}

/** A meta-iteration's query losses before and after adaptation, as scalar tensors the caller reads back (when it chooses) and disposes. */
export interface TensorLosses {
  preLoss: tf.Scalar;
  postLoss: tf.Scalar;
}

/**
 * Meta-parameters theta (tf.Variables) and tfjs's Adam, on tfjs autodiff. One `step` is
 * one meta-iteration on a batch `B`: tensors (MetaBatch), or what `toBatch` turns into
 * tensors for the step (and disposes after it).
 */
export class MetaLearner<B = MetaBatch> implements Learner<B, TensorLosses> {
  readonly engine = 'tfjs';
  readonly theta: tf.Variable[];
  private optimizer: tf.AdamOptimizer;
  iteration = 0;

  constructor(
    readonly objective: Objective,
    values: Float32Array[],
    public config: LearnerConfig,
    private readonly toBatch?: (batch: B) => MetaBatch,
  ) {
    this.theta = values.map((v, i) => tf.variable(tf.tensor(v, objective.shapes[i]), true));
    this.optimizer = tf.train.adam(config.metaLr);
  }

  setConfig(config: LearnerConfig) {
    this.config = config;
    // Adam reads its learning rate at every update, so a change keeps its moment estimates.
    (this.optimizer as unknown as { learningRate: number }).learningRate = config.metaLr;
  }

  step(batch: B): TensorLosses {
    const tensors = this.toBatch ? this.toBatch(batch) : (batch as MetaBatch);
    const { grads, preLoss, postLoss } = metaGradient(this.config.algorithm, this.objective, this.theta, tensors, this.config.inner);
    this.optimizer.applyGradients(this.theta.map((v, i) => ({ name: v.name, tensor: grads[i] })));
    tf.dispose(grads);
    if (this.toBatch) tf.dispose(Object.values(tensors));
    this.iteration++;
    return { preLoss, postLoss };
  }

  async values(): Promise<Float32Array[]> {
    return Promise.all(this.theta.map(async (v) => (await v.data()) as Float32Array));
  }

  /**
   * Everything needed to resume: theta, Adam's moments and the iteration, read back from the
   * device in one transfer (a GPU backend pays per read).
   */
  async state(): Promise<LearnerState> {
    const weights = await this.optimizer.getWeights();
    const tensors = [...this.theta, ...weights.map((w) => w.tensor)];
    const flat = tf.tidy(() => tf.concat(tensors.map((t) => t.reshape([-1]))));
    const all = (await flat.data()) as Float32Array;
    flat.dispose();
    let o = 0;
    const take = (t: tf.Tensor) => all.slice(o, (o += t.size));
    const theta = this.theta.map(take);
    const optimizer = weights.map((w) => ({ name: w.name, shape: w.tensor.shape, values: take(w.tensor) }));
    return { theta, optimizer, iteration: this.iteration };
  }

  /** Restores a state from `state()`: Adam's moments too when present, else a fresh Adam. */
  async restore(state: LearnerState) {
    tf.tidy(() => state.theta.forEach((v, i) => this.theta[i].assign(tf.tensor(v, this.objective.shapes[i]))));
    this.optimizer.dispose();
    this.optimizer = tf.train.adam(this.config.metaLr);
    if (state.optimizer?.length) {
      const named = state.optimizer.map((o) => ({ name: o.name, tensor: tf.tensor(o.values, o.shape) }));
      await this.optimizer.setWeights(named); // copies them into the optimizer's own variables
      tf.dispose(named.map((n) => n.tensor));
    }
    this.iteration = state.iteration;
  }

  dispose() {
    tf.dispose(this.theta);
    this.optimizer.dispose();
  }
}
