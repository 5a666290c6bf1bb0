import * as tf from '../tf';
import type { Algorithm } from '../algorithm/algorithm';
import type { LearnerState } from '../checkpoint';
import type { LearnerConfig } from '../algorithm/metaLearner';
import { mlpShapes } from '../networks/mlp';
import type { RegressionBatch } from './tasks';
import { defaultDenseEngine, mamlMetaGradient } from './fusedMaml';
import type { DenseEngine } from './denseKernels';
import { Adam } from '../optim/adam';
import type { Learner } from '../algorithm/learner';

/** Algorithms the fused kernel computes; Reptile stays on tfjs. */
export const FUSED_ALGORITHMS: readonly Algorithm[] = ['maml2', 'maml1', 'pretrained'];

/**
 * The sinusoid MLP meta-learner on the fused JavaScript kernel (fusedMaml.ts): the same
 * meta-gradients as MetaLearner (checked against the same float64 finite differences),
 * without tfjs's per-op overhead. theta lives in Float32Arrays; `theta` gives tensors
 * of it (made on demand, after each step) for the views that run on tfjs.
 */
export class FusedMetaLearner implements Learner<RegressionBatch, { preLoss: number; postLoss: number }> {
  readonly engine = 'fused';
  readonly shapes: number[][];
  private values_: Float32Array[];
  private grads: Float32Array[];
  private adam: Adam;
  private tensors: tf.Tensor[] | null = null;
  iteration = 0;

  constructor(
    readonly sizes: number[],
    values: Float32Array[],
    public config: LearnerConfig,
    /** The fused kernel's dense-layer kernels (WebAssembly SIMD where available). */
    readonly kernels: DenseEngine = defaultDenseEngine(),
  ) {
    if (!FUSED_ALGORITHMS.includes(config.algorithm)) throw new Error(`the fused kernel does not run ${config.algorithm}`);
    this.shapes = mlpShapes(sizes);
    this.values_ = values.map((v) => Float32Array.from(v));
    this.grads = values.map((v) => new Float32Array(v.length));
    this.adam = new Adam(config.metaLr);
  }

  setConfig(config: LearnerConfig) {
    this.config = config;
    this.adam.learningRate = config.metaLr;
  }

  /** One meta-iteration; returns the query losses before and after adaptation. */
  step(batch: RegressionBatch): { preLoss: number; postLoss: number } {
    const { algorithm, inner } = this.config;
    let result: { preLoss: number; postLoss: number };
    if (algorithm === 'pretrained') {
      // The pooled-task baseline: the gradient of the mean loss over all points at theta
      // (zero inner steps), then the post-adaptation loss for the curves.
      const pooled = poolSupportAndQuery(batch);
      mamlMetaGradient(this.sizes, this.values_, pooled, { alpha: 0, steps: 0, order: 1 }, this.grads, this.kernels);
      const gradsCopy = this.grads.map((g) => g.slice());
      const after = mamlMetaGradient(
        this.sizes,
        this.values_,
        batch,
        { alpha: inner.alpha, steps: inner.steps, order: 1 },
        this.grads,
        this.kernels,
      );
      result = { preLoss: after.preLoss, postLoss: after.postLoss };
      this.grads = gradsCopy;
    } else {
      const r = mamlMetaGradient(
        this.sizes,
        this.values_,
        batch,
        { alpha: inner.alpha, steps: inner.steps, order: algorithm === 'maml2' ? 2 : 1 },
        this.grads,
        this.kernels,
      );
      result = { preLoss: r.preLoss, postLoss: r.postLoss };
    }
    this.adam.step(this.values_, this.grads);
    this.iteration++;
    this.dropTensors();
    return result;
  }

  /** theta as tensors (for the views); valid until the next step. */
  get theta(): tf.Tensor[] {
    this.tensors ??= this.values_.map((v, i) => tf.tensor(v, this.shapes[i]));
    return this.tensors;
  }

  async values(): Promise<Float32Array[]> {
    return this.values_.map((v) => v.slice());
  }

  /** The same layout as tfjs's Adam weights: iteration, then first moments, then second moments. */
  async state(): Promise<LearnerState> {
    return { theta: await this.values(), optimizer: this.adam.slots(this.shapes), iteration: this.iteration };
  }

  async restore(state: LearnerState) {
    this.values_ = state.theta.map((v) => Float32Array.from(v));
    this.adam.restoreSlots(state.optimizer, this.values_.length);
    this.iteration = state.iteration;
    this.dropTensors();
  }

  private dropTensors() {
    if (this.tensors) tf.dispose(this.tensors);
    this.tensors = null;
  }

  dispose() {
    this.dropTensors();
  }
}

/** Support and query points of each task together, as the query set of a batch. */
function poolSupportAndQuery(b: RegressionBatch): RegressionBatch {
  const n = b.shots + b.queries;
  const x = new Float32Array(b.tasks * n);
  const y = new Float32Array(b.tasks * n);
  for (let t = 0; t < b.tasks; t++) {
    x.set(b.xs.subarray(t * b.shots, (t + 1) * b.shots), t * n);
    x.set(b.xq.subarray(t * b.queries, (t + 1) * b.queries), t * n + b.shots);
    y.set(b.ys.subarray(t * b.shots, (t + 1) * b.shots), t * n);
    y.set(b.yq.subarray(t * b.queries, (t + 1) * b.queries), t * n + b.shots);
  }
  return { tasks: b.tasks, shots: b.shots, queries: n, xs: b.xs, ys: b.ys, xq: x, yq: y };
}
