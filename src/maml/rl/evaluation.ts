/**
 * Held-out evaluation of the three starting points (maml, pretrained, random initialisation):
 * the same new goals (from the evaluation seed, never used in training) and the same noise
 * stream for every method, 20 trajectories before and after one inner step per goal.
 */
import { jsGemm, type Gemm } from '../networks/gemm';
import { createRng } from '../random';
import type { TaskFamily } from './env';
import { evaluateReturns, sampleGoals, type ReturnSummary } from './mamlRl';
import { GaussianMlp, initPolicy } from '../networks/gaussianPolicy';
import { policySizes, RL_EVAL, type RlConfig, type RlMethod } from './rlConfig';

export interface RlEvaluationRow extends ReturnSummary {
  experiment: 'rl';
  task: TaskFamily;
  method: RlMethod;
  iteration: number;
}

export function randomInit(config: RlConfig): Float32Array[] {
  return initPolicy(policySizes(config), createRng(`rl-init/${config.seed}`), config.initLogStd);
}

export function evaluationGoals(family: TaskFamily, n: number, seed: string = RL_EVAL.seed) {
  return sampleGoals(family, n, createRng(`${seed}/${family}/goals`));
}

export function evaluateMethod(
  config: RlConfig,
  method: RlMethod,
  theta: Float32Array[],
  iteration: number,
  goals: number = RL_EVAL.goals,
  seed: string = RL_EVAL.seed,
  gemm: Gemm = jsGemm,
): RlEvaluationRow {
  const policy = new GaussianMlp(policySizes(config), gemm);
  const c = { ...config, innerTrajectories: RL_EVAL.trajectories, outerTrajectories: RL_EVAL.trajectories };
  const { summary } = evaluateReturns(
    policy,
    theta,
    c,
    evaluationGoals(config.family, goals, seed),
    createRng(`${seed}/${config.family}/noise`),
  );
  return { experiment: 'rl', task: config.family, method, iteration, ...summary };
}
