/**
 * Batched sampling: every trajectory of every task is stepped together, one policy forward
 * pass per time step for each parameter set (one shared set before adaptation, one per task
 * after). Padded to the horizon: steps after an episode ended have weight 0 (valid = 0).
 */
import type { Rng } from '../random';
import type { Goal, TaskFamily, VecEnv } from './env';
import { NavigationEnv } from './navigation';
import { VelocityEnv } from './velocity';
import type { GaussianMlp, Params } from '../networks/gaussianPolicy';

export interface Trajectories {
  family: TaskFamily;
  tasks: number;
  /** Trajectories per task; trajectory k = task * perTask + j. */
  perTask: number;
  horizon: number;
  obsDim: number;
  actDim: number;
  goals: Goal[];
  /** Sample (k, t) is row k * horizon + t. */
  obs: Float64Array;
  /** The unclipped sampled actions (what the log-likelihood is of). */
  actions: Float64Array;
  rewards: Float64Array;
  /** 1 where the step happened, 0 after the episode ended. */
  valid: Float64Array;
  /** Steps taken by each trajectory. */
  lengths: Int32Array;
  /** Body positions, [k, horizon + 1, 2] (the start, then after each step; held after the end). */
  path: Float64Array;
  /** Velocities [k, horizon + 1, 2] for the velocity family (else null). */
  velocity: Float64Array | null;
}

export function makeEnv(family: TaskFamily, goals: Float64Array, horizon?: number): VecEnv {
  return family === 'navigation' ? new NavigationEnv(goals, horizon) : new VelocityEnv(goals, horizon);
}

/** Rows of task i: [i * perTask * horizon, (i + 1) * perTask * horizon). */
export function taskRows(tr: Trajectories, i: number): [number, number] {
  const r = tr.perTask * tr.horizon;
  return [i * r, (i + 1) * r];
}

/**
 * Samples perTask trajectories for each goal, with params[i] for task i (or params[0] for all
 * when one set is given).
 */
export function rollout(
  policy: GaussianMlp,
  params: Params[],
  family: TaskFamily,
  goals: Goal[],
  perTask: number,
  rng: Rng,
  horizon?: number,
): Trajectories {
  const T = goals.length;
  const K = T * perTask;
  const g = new Float64Array(2 * K);
  for (let k = 0; k < K; k++) {
    const goal = goals[Math.floor(k / perTask)];
    g[2 * k] = goal[0];
    g[2 * k + 1] = goal[1];
  }
  const env = makeEnv(family, g, horizon);
  const H = env.horizon;
  const dO = env.obsDim;
  const dA = env.actDim;
  const tr: Trajectories = {
    family,
    tasks: T,
    perTask,
    horizon: H,
    obsDim: dO,
    actDim: dA,
    goals: goals.map((x) => [x[0], x[1]]),
    obs: new Float64Array(K * H * dO),
    actions: new Float64Array(K * H * dA),
    rewards: new Float64Array(K * H),
    valid: new Float64Array(K * H),
    lengths: new Int32Array(K),
    path: new Float64Array(K * (H + 1) * 2),
    velocity: family === 'velocity' ? new Float64Array(K * (H + 1) * 2) : null,
  };
  env.reset();
  const act = new Float64Array(K * dA);
  const rew = new Float64Array(K);
  const shared = params.length === 1;
  if (!shared && params.length !== T) throw new Error('rollout: one parameter set, or one per task');
  const groups = shared ? [[0, K]] : goals.map((_, i) => [i * perTask, (i + 1) * perTask]);
  const record = (t: number) => {
    for (let k = 0; k < K; k++) {
      const o = (k * (H + 1) + t) * 2;
      tr.path[o] = env.pos[2 * k];
      tr.path[o + 1] = env.pos[2 * k + 1];
      if (tr.velocity) {
        tr.velocity[o] = env.obs[2 * k];
        tr.velocity[o + 1] = env.obs[2 * k + 1];
      }
    }
  };
  record(0);
  for (let t = 0; t < H; t++) {
    groups.forEach(([a, b], gi) => {
      const p = params[shared ? 0 : gi];
      const cache = policy.forward(p, env.obs.subarray(a * dO, b * dO), b - a);
      policy.sample(p, cache, rng, act.subarray(a * dA, b * dA));
    });
    for (let k = 0; k < K; k++) {
      if (env.done[k]) continue;
      const row = k * H + t;
      tr.valid[row] = 1;
      tr.lengths[k]++;
      for (let j = 0; j < dO; j++) tr.obs[row * dO + j] = env.obs[k * dO + j];
      for (let j = 0; j < dA; j++) tr.actions[row * dA + j] = act[k * dA + j];
    }
    env.step(act, rew);
    for (let k = 0; k < K; k++) if (tr.valid[k * H + t]) tr.rewards[k * H + t] = rew[k];
    record(t + 1);
  }
  return tr;
}

/** Undiscounted return of each trajectory. */
export function trajectoryReturns(tr: Trajectories): Float64Array {
  const K = tr.tasks * tr.perTask;
  const out = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let t = 0; t < tr.horizon; t++) s += tr.rewards[k * tr.horizon + t];
    out[k] = s;
  }
  return out;
}

/** Mean return of each task's trajectories. */
export function taskReturns(tr: Trajectories): Float64Array {
  const r = trajectoryReturns(tr);
  const out = new Float64Array(tr.tasks);
  for (let i = 0; i < tr.tasks; i++) {
    let s = 0;
    for (let j = 0; j < tr.perTask; j++) s += r[i * tr.perTask + j];
    out[i] = s / tr.perTask;
  }
  return out;
}
