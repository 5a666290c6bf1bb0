/**
 * MAML for reinforcement learning (Finn et al. 2017, section 3.2) with exact second-order
 * meta-gradients, and the pretrained baseline.
 *
 * Meta-iteration: for each of metaBatch goals, sample trajectories at theta, fit the baseline,
 * take one vanilla policy-gradient step theta'_i = theta - alpha grad L_in_i(theta), sample
 * trajectories at theta'_i, and minimise the clipped surrogate L_out_i(theta'_i(theta)) over theta.
 * Its gradient is exact: (I - alpha H_in_i) grad L_out_i(theta'_i), with H_in_i v by the R-operator
 * (policy.ts). Each batch is reused for `epochs` Adam steps; at each one theta'_i is recomputed
 * from the same pre-update samples and the ratio r is taken against the sampling policy theta'_old.
 */
import { Adam } from '../optim/adam';
import type { Learner } from '../algorithm/learner';
import { arrayAlgebra, axpyInPlace, mamlGradient, sgdStep, type MamlTask } from '../algorithm/maml';
import type { LearnerState } from '../checkpoint';
import type { Gemm, Vec } from '../networks/gemm';
import { createRng, type Rng } from '../random';
import type { Goal, TaskFamily } from './env';
import { advantages } from './baseline';
import { sampleNavigationGoal } from './navigation';
import { sampleVelocityGoal } from './velocity';
import { GaussianMlp, initPolicy, policyShapes, type Params, type PolicyCache } from '../networks/gaussianPolicy';
import { clippedSurrogate, innerGradient, taskSamples, type ClippedSurrogate, type TaskSamples } from './policyGradient';
import { rollout, taskReturns, type Trajectories } from './rollout';
import { policySizes, type RlConfig } from './rlConfig';

export function sampleGoal(family: TaskFamily, rng: Rng): Goal {
  return family === 'navigation' ? sampleNavigationGoal(rng) : sampleVelocityGoal(rng);
}

export function sampleGoals(family: TaskFamily, n: number, rng: Rng): Goal[] {
  return Array.from({ length: n }, () => sampleGoal(family, rng));
}

/** One task's fixed data for the outer objective. */
export interface MamlTaskData {
  pre: TaskSamples;
  post: TaskSamples;
  /** log pi_theta'_old of the post-update actions (the sampling policy). */
  logpOld: Float64Array;
}

export interface MetaObjective {
  /** Mean over tasks of the clipped surrogate at theta'_i(theta). */
  loss: number;
  /** Its exact gradient with respect to theta. */
  grads: Vec[];
  clippedFraction: number;
}

/**
 * One goal as MAML sees it (algorithm/maml.ts): the inner loss is the vanilla policy-gradient
 * surrogate on the pre-update samples (stepped on, and its Hessian by the policy's R-operator),
 * the outer loss the clipped surrogate on the post-update samples at theta'.
 */
export function policyTask(policy: GaussianMlp, t: MamlTaskData, eps: number): MamlTask<Params, ClippedSurrogate> {
  let cache: PolicyCache | null = null;
  let at: Params = [];
  return {
    innerStep(_, theta, alpha) {
      cache = policy.forward(theta, t.pre.obs, t.pre.rows);
      at = theta;
      return sgdStep(theta, innerGradient(policy, theta, cache, t.pre), alpha);
    },
    hvp: (_, v) => policy.hvp(at, cache!, t.pre.actions, t.pre.advantages, t.pre.count, v),
    query(adapted) {
      const postCache = policy.forward(adapted, t.post.obs, t.post.rows);
      const s = clippedSurrogate(policy.logProb(adapted, postCache, t.post.actions), t.logpOld, t.post, eps);
      return { grads: policy.lossGradient(adapted, postCache, t.post.actions, s.weights, t.post.count), result: s };
    },
  };
}

/** The meta-objective and its exact gradient on fixed samples. */
export function metaObjective(policy: GaussianMlp, theta: Params, tasks: MamlTaskData[], alpha: number, eps: number): MetaObjective {
  const grads = theta.map((p) => new (p.constructor as typeof Float64Array)(p.length));
  let loss = 0;
  let clipped = 0;
  for (const t of tasks) {
    const { grads: g, query: q } = mamlGradient(policyTask(policy, t, eps), arrayAlgebra, theta, { alpha, steps: 1, variant: 'maml2' });
    loss += q.loss;
    clipped += q.clippedFraction;
    axpyInPlace(grads, 1, g);
  }
  const T = tasks.length;
  for (const g of grads) for (let j = 0; j < g.length; j++) g[j] /= T;
  return { loss: loss / T, grads, clippedFraction: clipped / T };
}

export interface AdaptationSample {
  goals: Goal[];
  pre: Trajectories;
  post: Trajectories;
  /** theta'_i for each goal. */
  adapted: Vec[][];
  preAdvantages: Float64Array;
  /** Mean return per goal before and after the (last) step. */
  before: Float64Array;
  after: Float64Array;
  /** Mean return per goal after each step. */
  afterEach: Float64Array[];
}

/**
 * Samples at theta, takes an inner step per goal, samples at the adapted parameters; with
 * `steps` > 1, each further step is taken from fresh samples at the last adapted parameters
 * (the paper's figure 4: one, two, three policy-gradient steps). `afterEach[k]` is the mean
 * return per goal after step k + 1; `post` and `after` are those after the last step.
 */
export function adaptAndSample(
  policy: GaussianMlp,
  theta: Params,
  family: TaskFamily,
  goals: Goal[],
  c: Pick<RlConfig, 'alpha' | 'innerTrajectories' | 'outerTrajectories' | 'gamma'>,
  rng: Rng,
  steps = 1,
): AdaptationSample {
  const pre = rollout(policy, [theta], family, goals, c.innerTrajectories, rng);
  const preAdvantages = advantages(pre, c.gamma);
  const step = (params: Params[], samples: Trajectories, adv: Float64Array) =>
    goals.map((_, i) => {
      const s = taskSamples(samples, adv, i);
      const cache = policy.forward(params[i], s.obs, s.rows);
      return sgdStep(params[i], innerGradient(policy, params[i], cache, s), c.alpha);
    });
  let adapted = step(
    goals.map(() => theta),
    pre,
    preAdvantages,
  );
  let post = rollout(policy, adapted, family, goals, c.outerTrajectories, rng);
  const afterEach = [taskReturns(post)];
  for (let k = 1; k < steps; k++) {
    adapted = step(adapted, post, advantages(post, c.gamma));
    post = rollout(policy, adapted, family, goals, c.outerTrajectories, rng);
    afterEach.push(taskReturns(post));
  }
  return { goals, pre, post, adapted, preAdvantages, before: taskReturns(pre), after: afterEach[afterEach.length - 1], afterEach };
}

export interface IterationStats {
  iteration: number;
  /** Mean return over the batch's goals before and after the inner step (maml), or of the policy (pretrained). */
  returnBefore: number;
  returnAfter: number;
  clippedFraction: number;
  seconds: number;
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

/** A learner (maml or pretrained): theta (float32) + Adam, one seeded batch per iteration (it samples its own rollouts, so `step` takes no batch). */
export class RlLearner implements Learner<void, IterationStats> {
  readonly policy: GaussianMlp;
  theta: Float32Array[];
  readonly adam: Adam;
  iteration = 0;

  constructor(
    readonly config: RlConfig,
    readonly method: 'maml' | 'pretrained',
    gemm?: Gemm,
  ) {
    const sizes = policySizes(config);
    this.policy = new GaussianMlp(sizes, gemm);
    this.theta = initPolicy(sizes, createRng(`rl-init/${config.seed}`), config.initLogStd);
    this.adam = new Adam(config.metaLr);
  }

  async state(): Promise<LearnerState> {
    return {
      theta: this.theta.map((t) => t.slice()),
      optimizer: this.adam.slots(policyShapes(policySizes(this.config))),
      iteration: this.iteration,
    };
  }

  async restore(state: LearnerState) {
    this.theta = state.theta.map((t) => Float32Array.from(t));
    this.adam.restoreSlots(state.optimizer, this.theta.length);
    this.iteration = state.iteration;
  }

  /** The goals and noise of iteration i come from (seed, method, i): a seed reproduces a run. */
  step(): IterationStats {
    const t0 = performance.now();
    const c = this.config;
    const rng = createRng(`rl-train/${c.family}/${c.seed}/${this.iteration}`);
    const goals = sampleGoals(c.family, c.metaBatch, rng);
    let stats: Omit<IterationStats, 'iteration' | 'seconds'>;
    if (this.method === 'maml') {
      const a = adaptAndSample(this.policy, this.theta, c.family, goals, c, rng);
      const postAdv = advantages(a.post, c.gamma);
      const tasks: MamlTaskData[] = goals.map((_, i) => {
        const post = taskSamples(a.post, postAdv, i);
        const cache = this.policy.forward(a.adapted[i], post.obs, post.rows);
        return { pre: taskSamples(a.pre, a.preAdvantages, i), post, logpOld: this.policy.logProb(a.adapted[i], cache, post.actions) };
      });
      let clipped = 0;
      for (let e = 0; e < c.epochs; e++) {
        const m = metaObjective(this.policy, this.theta, tasks, c.alpha, c.clip);
        clipped = m.clippedFraction;
        this.adam.step(
          this.theta,
          m.grads.map((g) => Float32Array.from(g)),
        );
      }
      stats = { returnBefore: mean(a.before), returnAfter: mean(a.after), clippedFraction: clipped };
    } else {
      const tr = rollout(this.policy, [this.theta], c.family, goals, c.innerTrajectories, rng);
      const adv = advantages(tr, c.gamma);
      const all = taskSamplesAll(tr, adv);
      const logpOld = this.policy.logProb(this.theta, this.policy.forward(this.theta, all.obs, all.rows), all.actions);
      let clipped = 0;
      for (let e = 0; e < c.epochs; e++) {
        const cache = this.policy.forward(this.theta, all.obs, all.rows);
        const s = clippedSurrogate(this.policy.logProb(this.theta, cache, all.actions), logpOld, all, c.clip);
        clipped = s.clippedFraction;
        const g = this.policy.lossGradient(this.theta, cache, all.actions, s.weights, all.count);
        this.adam.step(
          this.theta,
          g.map((x) => Float32Array.from(x)),
        );
      }
      const r = mean(taskReturns(tr));
      stats = { returnBefore: r, returnAfter: r, clippedFraction: clipped };
    }
    this.iteration++;
    return { iteration: this.iteration, ...stats, seconds: (performance.now() - t0) / 1000 };
  }
}

/** Every task's rows of a batch as one sample set (the pretrained policy's objective pools the goals). */
export function taskSamplesAll(tr: Trajectories, adv: Float64Array): TaskSamples {
  let count = 0;
  for (let i = 0; i < tr.valid.length; i++) count += tr.valid[i];
  return { obs: tr.obs, actions: tr.actions, advantages: adv, valid: tr.valid, rows: tr.valid.length, count: Math.max(count, 1) };
}

export interface ReturnSummary {
  goals: number;
  returnBefore: number;
  returnAfter: number;
  ci95Before: number;
  ci95After: number;
}

/** Mean and 95% interval half-width (1.96 standard errors) over goals. */
export function meanCi(x: ArrayLike<number>): [number, number] {
  const n = x.length;
  const m = mean(x);
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i] - m) ** 2;
  const sd = n > 1 ? Math.sqrt(v / (n - 1)) : 0;
  return [m, (1.96 * sd) / Math.sqrt(n)];
}

/**
 * Held-out evaluation of one starting point: goals from the evaluation seed, sampled in chunks
 * (bounded memory), one inner step each; the mean return per goal before and after.
 */
export function evaluateReturns(
  policy: GaussianMlp,
  theta: Params,
  c: RlConfig,
  goals: Goal[],
  rng: Rng,
  chunk = 25,
): { before: Float64Array; after: Float64Array; summary: ReturnSummary } {
  const before = new Float64Array(goals.length);
  const after = new Float64Array(goals.length);
  for (let a = 0; a < goals.length; a += chunk) {
    const s = adaptAndSample(policy, theta, c.family, goals.slice(a, a + chunk), c, rng);
    before.set(s.before, a);
    after.set(s.after, a);
  }
  const [mb, cb] = meanCi(before);
  const [ma, ca] = meanCi(after);
  return { before, after, summary: { goals: goals.length, returnBefore: mb, returnAfter: ma, ci95Before: cb, ci95After: ca } };
}
