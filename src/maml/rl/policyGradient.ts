/**
 * Policy-gradient objectives over one task's samples, as weighted log-likelihood losses for
 * GaussianMlp (whose gradient and Hessian-vector products are exact):
 *  - the inner step: vanilla policy gradient (REINFORCE with a baseline), the surrogate
 *    L_in(theta) = -(1/N) sum_n log pi_theta(a_n | s_n) A_n with the advantages A_n held fixed;
 *  - the outer objective: PPO's clipped surrogate (Schulman et al. 2017) on trajectories sampled
 *    from theta'_old, L_out(theta') = -(1/N) sum_n min(r_n A_n, clip(r_n, 1 - eps, 1 + eps) A_n),
 *    r_n = pi_theta'(a_n | s_n) / pi_theta'_old(a_n | s_n). Its gradient is that of the weighted
 *    loss with weights r_n A_n where the clip is inactive and 0 where it is active. With one
 *    optimisation epoch per batch (r = 1) it is the plain policy gradient.
 */
import type { GaussianMlp, Params, PolicyCache } from '../networks/gaussianPolicy';
import type { Trajectories } from './rollout';
import type { Vec } from '../networks/gemm';

/** One task's samples: views into a Trajectories batch. */
export interface TaskSamples {
  obs: Float64Array;
  actions: Float64Array;
  advantages: Float64Array;
  /** 1 for real steps, 0 for padding. */
  valid: Float64Array;
  /** Number of rows (padded). */
  rows: number;
  /** Number of real steps: the loss normaliser N. */
  count: number;
}

/** Task i's rows of a batch as subarray views (no copies). */
export function taskSamples(tr: Trajectories, adv: Float64Array, task: number): TaskSamples {
  const rows = tr.perTask * tr.horizon;
  const a = task * rows;
  const valid = tr.valid.subarray(a, a + rows);
  let count = 0;
  for (let i = 0; i < rows; i++) count += valid[i];
  return {
    obs: tr.obs.subarray(a * tr.obsDim, (a + rows) * tr.obsDim),
    actions: tr.actions.subarray(a * tr.actDim, (a + rows) * tr.actDim),
    advantages: adv.subarray(a, a + rows),
    valid,
    rows,
    count: Math.max(count, 1),
  };
}

/** Inner-step weights: the advantages (zero on padding, which advantages() already guarantees). */
export function innerGradient(policy: GaussianMlp, theta: Params, cache: PolicyCache, s: TaskSamples): Vec[] {
  return policy.lossGradient(theta, cache, s.actions, s.advantages, s.count);
}

export interface ClippedSurrogate {
  /** The loss value L_out. */
  loss: number;
  /** Its gradient's weights: r A where the clip is inactive, 0 where active. */
  weights: Float64Array;
  /** Fraction of valid samples whose clip is active. */
  clippedFraction: number;
}

export function clippedSurrogate(logpNew: Float64Array, logpOld: Float64Array, s: TaskSamples, eps: number): ClippedSurrogate {
  const weights = new Float64Array(s.rows);
  let loss = 0;
  let clipped = 0;
  for (let i = 0; i < s.rows; i++) {
    if (!s.valid[i]) continue;
    const A = s.advantages[i];
    const r = Math.exp(logpNew[i] - logpOld[i]);
    const rc = Math.min(Math.max(r, 1 - eps), 1 + eps);
    const unclipped = r * A <= rc * A;
    loss -= Math.min(r * A, rc * A);
    if (unclipped) weights[i] = r * A;
    else clipped++;
  }
  return { loss: loss / s.count, weights, clippedFraction: clipped / Math.max(s.count, 1) };
}
