/**
 * One sinusoid experiment as the worker runs it: the meta-learner and the pretrained
 * baseline trained side by side on the same seeded stream of meta-batches, their losses
 * kept on the device until the worker reads them back in one go.
 */
import * as tf from '../maml/tf';
import type { LearnerState } from '../maml/checkpoint';
import {
  adaptationCurves,
  batchTensors,
  sinusoidObjective,
  sizesOf,
  type SinusoidConfig,
} from '../maml/experiments/sinusoid';
import { MetaLearner, type LearnerConfig } from '../maml/learner';
import { initMlpValues } from '../maml/models/mlp';
import { createRng } from '../maml/random';
import { sampleSinusoidBatch } from '../maml/tasks/sinusoid';
import type { CurvePoint, TaskView } from './protocol';

/** Losses past this (or not finite) mean the run diverged. */
export const DIVERGED_LOSS = 1e6;

export class SinusoidSession {
  readonly learner: MetaLearner;
  readonly baseline: MetaLearner;
  private pending: { iteration: number; losses: tf.Scalar[] }[] = [];

  constructor(public config: SinusoidConfig) {
    const objective = sinusoidObjective(config.hidden);
    const init = initMlpValues(sizesOf(config.hidden), createRng(`${config.seed}/init`));
    this.learner = new MetaLearner(objective, init, learnerConfig(config, config.algorithm));
    this.baseline = new MetaLearner(objective, init, learnerConfig(config, 'pretrained'));
  }

  get iteration() {
    return this.learner.iteration;
  }

  /** Same architecture and seed: the change applies to the running learners. */
  canApply(config: SinusoidConfig) {
    return config.hidden.join() === this.config.hidden.join() && config.seed === this.config.seed;
  }

  apply(config: SinusoidConfig) {
    this.config = config;
    this.learner.setConfig(learnerConfig(config, config.algorithm));
    this.baseline.setConfig(learnerConfig(config, 'pretrained'));
  }

  async restore(learner: LearnerState, baseline?: LearnerState) {
    await this.learner.restore(learner);
    if (baseline) await this.baseline.restore({ ...baseline, iteration: learner.iteration });
    this.baseline.iteration = learner.iteration;
    tf.dispose(this.pending.flatMap((p) => p.losses));
    this.pending = [];
  }

  /** One meta-iteration of both learners on the meta-batch drawn from (seed, iteration). */
  step() {
    const i = this.learner.iteration;
    const c = this.config;
    const batch = batchTensors(sampleSinusoidBatch(createRng(`${c.seed}/batch/${i}`), c.metaBatch, c.shots));
    const m = this.learner.step(batch);
    const b = this.baseline.step(batch);
    tf.dispose(Object.values(batch));
    this.pending.push({ iteration: i + 1, losses: [m.preLoss, m.postLoss, b.preLoss, b.postLoss] });
  }

  /** Reads back every iteration's losses since the last call, with one transfer. */
  async flush(): Promise<CurvePoint[]> {
    const pending = this.pending;
    this.pending = [];
    if (!pending.length) return [];
    const stacked = tf.stack(pending.flatMap((p) => p.losses));
    tf.dispose(pending.flatMap((p) => p.losses));
    const v = await stacked.data();
    stacked.dispose();
    return pending.map((p, j) => ({
      iteration: p.iteration,
      pre: v[4 * j],
      post: v[4 * j + 1],
      basePre: v[4 * j + 2],
      basePost: v[4 * j + 3],
    }));
  }

  /** Predictions of both models for `task` after each of the test-time inner steps. */
  async adaptation(task: TaskView, gridSize = 120) {
    const grid = new Float32Array(gridSize).map((_, i) => -5 + (10 * i) / (gridSize - 1));
    const support = { x: task.supportX, y: task.supportY };
    const { alpha, testSteps } = this.config;
    const l = adaptationCurves(this.learner.theta, support, grid, alpha, testSteps);
    const b = adaptationCurves(this.baseline.theta, support, grid, alpha, testSteps);
    const [learner, baseline, learnerSupportLoss, baselineSupportLoss] = (await Promise.all([
      l.curves.data(),
      b.curves.data(),
      l.supportLoss.data(),
      b.supportLoss.data(),
    ])) as Float32Array[];
    tf.dispose([l.curves, b.curves, l.supportLoss, b.supportLoss]);
    return { grid, learner, baseline, learnerSupportLoss, baselineSupportLoss, steps: testSteps };
  }

  dispose() {
    tf.dispose(this.pending.flatMap((p) => p.losses));
    this.pending = [];
    this.learner.dispose();
    this.baseline.dispose();
  }
}

function learnerConfig(c: SinusoidConfig, algorithm: LearnerConfig['algorithm']): LearnerConfig {
  return { algorithm, inner: { alpha: c.alpha, steps: c.trainSteps }, metaLr: c.metaLr };
}

/** True when a curve point shows divergence. */
export function diverged(p: CurvePoint) {
  return [p.pre, p.post].some((v) => !Number.isFinite(v) || v > DIVERGED_LOSS);
}

/** Meta-iterations per second of `config` on the active backend (after a warm-up). */
export async function measureRate(config: SinusoidConfig, budgetMs = 700, maxIterations = 200): Promise<number> {
  const s = new SinusoidSession(config);
  try {
    for (let i = 0; i < 2; i++) s.step();
    await s.flush(); // compiles shaders, uploads weights
    const t0 = performance.now();
    let n = 0;
    while (n < maxIterations && performance.now() - t0 < budgetMs) {
      s.step();
      n++;
      if (n % 5 === 0) await s.flush();
    }
    await s.flush();
    return n / ((performance.now() - t0) / 1000);
  } finally {
    s.dispose();
  }
}
