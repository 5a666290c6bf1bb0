/** Settings of the RL experiment (tensor-free, imported by the page too). */
import type { TaskFamily } from './env';

export type RlMethod = 'maml' | 'pretrained' | 'random';
export const RL_METHODS: RlMethod[] = ['maml', 'pretrained', 'random'];
export const TASK_FAMILIES: TaskFamily[] = ['navigation', 'velocity'];

export interface RlConfig {
  family: TaskFamily;
  /** Hidden layer widths (the paper: two layers of 100 ReLU units). */
  hidden: number[];
  /** Inner (adaptation) step size on the vanilla policy-gradient surrogate (the paper: 0.1). */
  alpha: number;
  /** Trajectories per task for the inner step (the paper: 20). */
  innerTrajectories: number;
  /** Trajectories per task sampled after adaptation, for the outer objective. */
  outerTrajectories: number;
  /** Tasks (goals) per meta-iteration. */
  metaBatch: number;
  /** Adam's learning rate on the outer objective. */
  metaLr: number;
  /** Optimisation epochs per sampled batch on the clipped surrogate (1: plain policy gradient). */
  epochs: number;
  /** PPO clip range epsilon. */
  clip: number;
  /** Discount of the returns-to-go. */
  gamma: number;
  /** Initial log standard deviation of the policy. */
  initLogStd: number;
  seed: number;
}

export const RL_DEFAULTS: Omit<RlConfig, 'family'> = {
  hidden: [100, 100],
  alpha: 0.1,
  innerTrajectories: 20,
  outerTrajectories: 20,
  metaBatch: 10,
  metaLr: 0.003,
  epochs: 2,
  clip: 0.2,
  gamma: 0.99,
  initLogStd: 0,
  seed: 1,
};

export function rlConfig(family: TaskFamily, overrides: Partial<RlConfig> = {}): RlConfig {
  return { ...RL_DEFAULTS, family, ...overrides };
}

export function policySizes(c: Pick<RlConfig, 'hidden'>): number[] {
  return [2, ...c.hidden, 2];
}

/** Held-out evaluation: goals drawn from this seed are never used for training (other stream). */
export const RL_EVAL = { seed: 'rl-eval-2017', goals: 100, trajectories: 20 } as const;
