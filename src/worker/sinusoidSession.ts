/**
 * One sinusoid experiment as the worker runs it: the meta-learner and the pretrained
 * baseline trained side by side on the same seeded stream of meta-batches, their losses
 * kept on the device until the worker reads them back in one go.
 */
import * as tf from '../maml/tf';
import type { LearnerState } from '../maml/checkpoint';
import {
  adaptationTrace,
  batchTensors,
  sinusoidObjective,
  sizesOf,
  type SinusoidConfig,
} from '../maml/experiments/sinusoid';
import { MetaLearner, type LearnerConfig } from '../maml/learner';
import { initMlpValues } from '../maml/models/mlp';
import { createRng } from '../maml/random';
import { sampleSinusoidBatch } from '../maml/tasks/sinusoid';
import type { CurvePoint, StartingPoint, TaskView, TraceData } from './protocol';
import { sinusoid } from '../maml/tasks/sinusoid';

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

  /** A fixed random initialisation, the third starting point for comparisons. */
  private randomInit: tf.Tensor[] | null = null;

  /** The task adapted from the meta-learner, the baseline and a random initialisation, step by step. */
  async adaptation(task: TaskView, gridSize = 120): Promise<{ grid: Float32Array; steps: number; models: Record<StartingPoint, TraceData> }> {
    const grid = new Float32Array(gridSize).map((_, i) => -5 + (10 * i) / (gridSize - 1));
    const truth = grid.map((x) => sinusoid(task, x));
    const support = { x: task.supportX, y: task.supportY };
    const { alpha, testSteps } = this.config;
    this.randomInit ??= initMlpValues(sizesOf(this.config.hidden), createRng(`${this.config.seed}/random-init`)).map((v, i) =>
      tf.tensor(v, this.learner.objective.shapes[i]),
    );
    const starts: Record<StartingPoint, tf.Tensor[]> = { learner: this.learner.theta, baseline: this.baseline.theta, random: this.randomInit };
    const models = {} as Record<StartingPoint, TraceData>;
    for (const key of Object.keys(starts) as StartingPoint[]) {
      const t = adaptationTrace(starts[key], support, grid, truth, alpha, testSteps);
      const [curves, supportLoss, queryLoss, gradNorms, updateSize] = (await Promise.all([
        t.curves.data(), t.supportLoss.data(), t.queryLoss.data(), t.gradNorms.data(), t.updateSize.data(),
      ])) as Float32Array[];
      models[key] = { curves, supportLoss, queryLoss, gradNorms, updateSize, layers: starts[key].length / 2 };
      tf.dispose(Object.values(t));
    }
    return { grid, steps: testSteps, models };
  }

  dispose() {
    tf.dispose(this.pending.flatMap((p) => p.losses));
    this.pending = [];
    this.learner.dispose();
    this.baseline.dispose();
    if (this.randomInit) tf.dispose(this.randomInit);
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
