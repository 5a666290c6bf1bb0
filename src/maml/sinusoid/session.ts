/**
 * One sinusoid experiment as the worker runs it: the meta-learner and the pretrained
 * baseline trained side by side on the same seeded stream of meta-batches, their losses
 * kept on the device until the worker reads them back in one go.
 */
import * as tf from '../tf';
import type { LearnerState } from '../checkpoint';
import { adaptationTrace, batchTensors, sinusoidObjective, sizesOf, type AdaptationTrace, type SinusoidConfig } from './experiment';
import { MetaLearner, type LearnerConfig } from '../algorithm/metaLearner';
import { FUSED_ALGORITHMS, FusedMetaLearner } from './fusedLearner';
import type { Algorithm } from '../algorithm/algorithm';
import { initMlpValues } from '../networks/mlp';
import { createRng } from '../random';
import { sampleSinusoidBatch, type RegressionBatch } from './tasks';
import type { Learner } from '../algorithm/learner';
import { methodKey, methodSource, type CurvePoint, type MethodSpec, type StartingPoint, type TaskView, type TraceData } from './views';
import { sinusoid } from './tasks';

/** Losses past this (or not finite) mean the run diverged. */
export const DIVERGED_LOSS = 1e6;

/** Who computes the meta-gradients: tfjs on the chosen backend, or the fused JavaScript kernel. */
export type Engine = 'tfjs' | 'fused';

/** A query loss: a scalar tensor (tfjs engine, read back later in one transfer) or a number (fused kernel). */
type Loss = tf.Scalar | number;

/** A sinusoid learner on either engine: the learner contract, plus theta as tensors for the views. */
export interface SinusoidLearner extends Learner<RegressionBatch, { preLoss: Loss; postLoss: Loss }> {
  readonly engine: Engine;
  /** theta as tensors, valid until the next step. */
  readonly theta: tf.Tensor[];
  /** theta, copied out. */
  values(): Promise<Float32Array[]>;
  setConfig(config: LearnerConfig): void;
  dispose(): void;
}

export class SinusoidSession {
  learner: SinusoidLearner;
  readonly baseline: SinusoidLearner;
  /** Comparison mode: the compared methods that are neither the meta-learner nor the baseline. */
  readonly extras: { spec: MethodSpec; key: string; learner: SinusoidLearner }[] = [];
  private pending: { iteration: number; losses: Loss[] }[] = [];

  constructor(
    public config: SinusoidConfig,
    readonly engine: Engine = 'tfjs',
    /** The compared methods (empty: the single-method view, nothing extra is trained). */
    readonly compare: MethodSpec[] = [],
  ) {
    const init = initMlpValues(sizesOf(config.hidden), createRng(`${config.seed}/init`));
    this.learner = this.makeLearner(init, config.algorithm);
    this.baseline = this.makeLearner(init, 'pretrained');
    // Every method starts from the same initialisation.
    for (const spec of compare)
      if (methodSource(spec, config) === 'extra')
        this.extras.push({ spec, key: methodKey(spec), learner: this.makeLearner(init, spec.algorithm) });
  }

  private makeLearner(values: Float32Array[], algorithm: Algorithm): SinusoidLearner {
    const c = learnerConfig(this.config, algorithm);
    return this.engine === 'fused' && FUSED_ALGORITHMS.includes(algorithm)
      ? new FusedMetaLearner(sizesOf(this.config.hidden), values, c)
      : new MetaLearner(sinusoidObjective(this.config.hidden), values, c, batchTensors);
  }

  /** Which engine runs the meta-learner now (Reptile always runs on tfjs). */
  get learnerEngine(): Engine {
    return this.learner.engine;
  }

  get iteration() {
    return this.learner.iteration;
  }

  /** Same architecture and seed (and, when comparing, the same methods): the change applies to the running learners. */
  canApply(config: SinusoidConfig) {
    const sameMethods = this.compare.every((m) => methodSource(m, config) === methodSource(m, this.config));
    return config.hidden.join() === this.config.hidden.join() && config.seed === this.config.seed && sameMethods;
  }

  async apply(config: SinusoidConfig) {
    this.config = config;
    const wantFused = this.engine === 'fused' && FUSED_ALGORITHMS.includes(config.algorithm);
    if (wantFused !== (this.learner.engine === 'fused')) {
      // Switching to or from Reptile on the fused engine: carry theta (and Adam) across.
      const state = await this.learner.state();
      const next = this.makeLearner(state.theta, config.algorithm);
      await next.restore(state);
      this.learner.dispose();
      this.learner = next;
    }
    this.learner.setConfig(learnerConfig(config, config.algorithm));
    this.baseline.setConfig(learnerConfig(config, 'pretrained'));
    for (const e of this.extras) e.learner.setConfig(learnerConfig(config, e.spec.algorithm));
  }

  async restore(learner: LearnerState, baseline?: LearnerState) {
    await this.learner.restore(learner);
    if (baseline) await this.baseline.restore({ ...baseline, iteration: learner.iteration });
    this.baseline.iteration = learner.iteration;
    this.dropPending();
  }

  private dropPending() {
    tf.dispose(this.pending.flatMap((p) => p.losses.filter((l): l is tf.Scalar => typeof l !== 'number')));
    this.pending = [];
  }

  /**
   * One meta-iteration of every learner on the meta-batch drawn from (seed, iteration); a
   * compared method with its own K draws its batch from the same (seed, iteration).
   */
  step() {
    const i = this.learner.iteration;
    const c = this.config;
    const batches = new Map<number, RegressionBatch>();
    const run = (l: SinusoidLearner, shots: number) => {
      let b = batches.get(shots);
      if (!b) batches.set(shots, (b = sampleSinusoidBatch(createRng(`${c.seed}/batch/${i}`), c.metaBatch, shots)));
      return l.step(b);
    };
    const m = run(this.learner, c.shots);
    const b = run(this.baseline, c.shots);
    const losses: Loss[] = [m.preLoss, m.postLoss, b.preLoss, b.postLoss];
    for (const e of this.extras) {
      const r = run(e.learner, e.spec.shots ?? c.shots);
      losses.push(r.preLoss, r.postLoss);
    }
    this.pending.push({ iteration: i + 1, losses });
  }

  /** Reads back every iteration's losses since the last call, with one transfer. */
  async flush(): Promise<CurvePoint[]> {
    const pending = this.pending;
    this.pending = [];
    if (!pending.length) return [];
    const all = pending.flatMap((p) => p.losses);
    const scalars = all.filter((l): l is tf.Scalar => typeof l !== 'number');
    let read: ArrayLike<number> = [];
    if (scalars.length) {
      const stacked = tf.stack(scalars);
      tf.dispose(scalars);
      read = await stacked.data();
      stacked.dispose();
    }
    let r = 0;
    const v = all.map((l) => (typeof l === 'number' ? l : read[r++]));
    const stride = 4 + 2 * this.extras.length;
    return pending.map((p, j) => {
      const o = stride * j;
      const point: CurvePoint = { iteration: p.iteration, pre: v[o], post: v[o + 1], basePre: v[o + 2], basePost: v[o + 3] };
      if (this.compare.length) {
        point.methods = {};
        for (const spec of this.compare) {
          const src = methodSource(spec, this.config);
          const e = this.extras.findIndex((x) => x.key === methodKey(spec));
          point.methods[methodKey(spec)] =
            src === 'learner'
              ? [point.pre, point.post]
              : src === 'baseline'
                ? [point.basePre, point.basePost]
                : [v[o + 4 + 2 * e], v[o + 5 + 2 * e]];
        }
      }
      return point;
    });
  }

  /** A fixed random initialisation, the third starting point for comparisons. */
  private randomInit: tf.Tensor[] | null = null;
  /** The random initialisation never trains: its trace is kept until the task or settings change. */
  private randomTrace: { key: string; trace: TraceData } | null = null;

  /** The task adapted from the meta-learner, the baseline and a random initialisation, step by step. */
  async adaptation(
    task: TaskView,
    gridSize = 120,
  ): Promise<{ grid: Float32Array; steps: number; models: Record<StartingPoint, TraceData>; extra?: Record<string, TraceData> }> {
    const grid = new Float32Array(gridSize).map((_, i) => -5 + (10 * i) / (gridSize - 1));
    const truth = grid.map((x) => sinusoid(task, x));
    const support = { x: task.supportX, y: task.supportY };
    const { alpha, testSteps } = this.config;
    this.randomInit ??= initMlpValues(sizesOf(this.config.hidden), createRng(`${this.config.seed}/random-init`)).map((v, i) =>
      tf.tensor(v, sinusoidObjective(this.config.hidden).shapes[i]),
    );
    const starts: Record<StartingPoint, tf.Tensor[]> = {
      learner: this.learner.theta,
      baseline: this.baseline.theta,
      random: this.randomInit,
    };
    const models = {} as Record<StartingPoint, TraceData>;
    const randomKey = JSON.stringify([task, alpha, testSteps, gridSize]);
    for (const key of Object.keys(starts) as StartingPoint[]) {
      if (key === 'random' && this.randomTrace?.key === randomKey) {
        models.random = copyTrace(this.randomTrace.trace);
        continue;
      }
      models[key] = await readTrace(adaptationTrace(starts[key], support, grid, truth, alpha, testSteps), starts[key].length / 2);
      if (key === 'random') this.randomTrace = { key: randomKey, trace: copyTrace(models.random) };
    }
    if (!this.extras.length) return { grid, steps: testSteps, models };
    const extra: Record<string, TraceData> = {};
    for (const e of this.extras) {
      // A method trained with its own K adapts on that many of the task's support points.
      const k = e.spec.shots ?? support.x.length;
      const t = adaptationTrace(e.learner.theta, { x: support.x.slice(0, k), y: support.y.slice(0, k) }, grid, truth, alpha, testSteps);
      extra[e.key] = await readTrace(t, e.learner.theta.length / 2);
    }
    return { grid, steps: testSteps, models, extra };
  }

  /** The meta-learner and the baseline as a checkpoint's learners (theta and Adam's state). */
  async learnerStates() {
    return {
      maml: { ...(await this.learner.state()), algorithm: this.config.algorithm },
      pretrained: { ...(await this.baseline.state()), algorithm: 'pretrained' },
    };
  }

  dispose() {
    this.dropPending();
    this.learner.dispose();
    this.baseline.dispose();
    for (const e of this.extras) e.learner.dispose();
    if (this.randomInit) tf.dispose(this.randomInit);
  }
}

function learnerConfig(c: SinusoidConfig, algorithm: LearnerConfig['algorithm']): LearnerConfig {
  return { algorithm, inner: { alpha: c.alpha, steps: c.trainSteps }, metaLr: c.metaLr };
}

/** True when a curve point shows divergence. */
export function diverged(p: CurvePoint) {
  const compared = Object.values(p.methods ?? {}).flat();
  return [p.pre, p.post, ...compared].some((v) => !Number.isFinite(v) || v > DIVERGED_LOSS);
}

/** Meta-iterations per second of `config` on the active backend (after a warm-up). */
export async function measureRate(config: SinusoidConfig, engine: Engine = 'tfjs', budgetMs = 700, maxIterations = 200): Promise<number> {
  const s = new SinusoidSession(config, engine);
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

/** A trace's tensors read back (in one wait) as typed arrays, and disposed. */
async function readTrace(t: AdaptationTrace, layers: number): Promise<TraceData> {
  const [curves, supportLoss, queryLoss, gradNorms, updateSize] = (await Promise.all([
    t.curves.data(),
    t.supportLoss.data(),
    t.queryLoss.data(),
    t.gradNorms.data(),
    t.updateSize.data(),
  ])) as Float32Array[];
  tf.dispose(Object.values(t));
  return { curves, supportLoss, queryLoss, gradNorms, updateSize, layers };
}

/** A copy whose arrays can be transferred to the page while the original stays cached. */
const copyTrace = (c: TraceData): TraceData => ({
  ...c,
  curves: c.curves.slice(),
  supportLoss: c.supportLoss.slice(),
  queryLoss: c.queryLoss.slice(),
  gradNorms: c.gradNorms.slice(),
  updateSize: c.updateSize.slice(),
});
