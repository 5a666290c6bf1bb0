/**
 * The Omniglot meta-learner: the conv net's blocks as float32 arrays, the meta-gradient of
 * convMaml.ts, and Adam. Used by the worker and by scripts/meta-train.ts alike.
 */
import type { ConvPasses } from '../networks/convPasses';
import type { LearnerState } from '../checkpoint';
import type { OmniglotConfig } from './config';
import { createRng } from '../random';
import type { EpisodeBatch } from './tasks';
import { batchResult, metaGradient, type MetaBatchResult, type TaskSums } from './convMaml';
import { reduceShares, shareGradients, sliceBatch, taskShares, type Share, type ShareGradients } from './dataParallel';
import { ConvNet, bodyShapes, initBody, type ConvNetShape } from '../networks/convNet';
import type { Gemm } from '../networks/gemm';
import { Adam } from '../optim/adam';
import type { Learner } from '../algorithm/learner';

export function convShape(filters: number): ConvNetShape {
  return { filters, channels: 1, imageSize: 28 };
}

export class ConvMetaLearner implements Learner<EpisodeBatch, MetaBatchResult> {
  readonly net: ConvNet;
  readonly shapes: number[][];
  body: Float32Array[];
  private grads: Float32Array[];
  private adam: Adam;
  iteration = 0;

  constructor(
    public config: OmniglotConfig,
    gemm: Gemm,
    body?: Float32Array[],
    passes?: ConvPasses,
  ) {
    const shape = convShape(config.filters);
    this.net = new ConvNet(shape, gemm, passes);
    this.shapes = bodyShapes(shape);
    const rng = createRng(`${config.seed}/omniglot/init`);
    this.body = body ? body.map((b) => Float32Array.from(b)) : initBody(shape, () => rng.next());
    this.grads = this.body.map((b) => new Float32Array(b.length));
    this.adam = new Adam(config.metaLr);
  }

  setConfig(config: OmniglotConfig) {
    if (config.filters !== this.config.filters) throw new Error('changing the number of filters needs a new learner');
    this.config = config;
    this.adam.learningRate = config.metaLr;
  }

  step(batch: EpisodeBatch): MetaBatchResult {
    const { alpha, trainSteps, algorithm } = this.config;
    const r = metaGradient(this.net, this.body, batch, { alpha, steps: trainSteps }, algorithm, this.grads);
    this.apply();
    return r;
  }

  /**
   * One meta-iteration with the batch split over `workers` (dataParallel.ts): this thread
   * computes the first share, `compute` each of the others (helper 0, 1, …) elsewhere (it returns once its
   * request is out, which in Node must be before this thread blocks, and then the share's
   * gradients); the task gradients are added in task order, so the step equals `step`'s bit for bit.
   */
  async stepParallel(
    batch: EpisodeBatch,
    workers: number,
    compute: (share: Share, body: Float32Array[], helper: number) => Promise<{ result: Promise<ShareGradients> }>,
    /** Work for this thread once its own share is done, while the others finish (the next batch's episodes). */
    whileWaiting?: () => void,
  ): Promise<MetaBatchResult> {
    const { alpha, trainSteps, algorithm } = this.config;
    const [own, ...others] = taskShares(batch.tasks, workers);
    const pending = await Promise.all(others.map((share, i) => compute(share, this.body, i)));
    const mine = shareGradients(this.net, this.body, sliceBatch(batch, own), { alpha, steps: trainSteps }, algorithm);
    whileWaiting?.();
    const theirs = await Promise.all(pending.map((p) => p.result));
    const sums = reduceShares([mine, ...theirs], batch.tasks, this.grads);
    this.apply();
    return batchResult(sums);
  }

  /** One meta-iteration with the whole meta-gradient computed elsewhere (the GPU path, convMamlTensors.ts). */
  async stepWith(compute: (body: Float32Array[]) => Promise<{ grads: Float32Array[]; sums: TaskSums }>): Promise<MetaBatchResult> {
    const { grads, sums } = await compute(this.body);
    grads.forEach((g, i) => this.grads[i].set(g));
    this.apply();
    return batchResult(sums);
  }

  private apply() {
    for (const g of this.grads) {
      for (let i = 0; i < g.length; i++)
        if (!Number.isFinite(g[i])) throw new Error(`the meta-gradient is not finite at iteration ${this.iteration}`);
    }
    this.adam.step(this.body, this.grads);
    this.iteration++;
  }

  async state(): Promise<LearnerState> {
    return { theta: this.body.map((b) => b.slice()), optimizer: this.adam.slots(this.shapes), iteration: this.iteration };
  }

  async restore(state: LearnerState) {
    this.body = state.theta.map((v) => Float32Array.from(v));
    this.adam.restoreSlots(state.optimizer, this.body.length);
    this.iteration = state.iteration;
  }
}
