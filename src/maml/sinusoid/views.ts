/**
 * What the sinusoid session computes for the views, as plain numbers and typed arrays:
 * the tasks shown, curve points, adaptation traces and the trajectory picture. The
 * worker's protocol (src/worker/protocol.ts) carries these to the page.
 */
import type { SinusoidTaskWithSupport } from './tasks';
import type { Algorithm } from '../algorithm/algorithm';

/** The task shown in the adaptation panel: a sine and the support points to adapt on. */
export type TaskView = SinusoidTaskWithSupport;

/** Where an adaptation starts from. */
export type StartingPoint = 'learner' | 'baseline' | 'random';

/** One task's inner loop, step by step (see adaptationTrace in the learning core). */
export interface TraceData {
  /** [steps + 1, grid] predictions. */
  curves: Float32Array;
  supportLoss: Float32Array;
  /** MSE against the true sine on the grid, per step. */
  queryLoss: Float32Array;
  /** [steps, layers] gradient norm per layer. */
  gradNorms: Float32Array;
  layers: number;
  updateSize: Float32Array;
}

/** One task of the trajectory picture, in the 2-D projection of theta-space. */
export interface TrajectoryTask extends TaskView {
  /** Inner-loop path theta -> theta_i(1) -> ... -> theta_i(k), projected. */
  path: [number, number][];
  /** The task's optimum theta_i*, projected (absent until first fitted). */
  optimum?: [number, number];
  /** ||theta_i(k) - theta_i*|| in the full parameter space. */
  distance?: number;
}

export interface DistancePoint {
  iteration: number;
  /** Mean over the trajectory tasks of ||theta_i(k) - theta_i*||, for the meta-learner and the baseline. */
  learner: number;
  baseline: number;
}

export interface CurvePoint {
  iteration: number;
  /** Mean query MSE of the meta-learner before and after the inner loop. */
  pre: number;
  post: number;
  /** The same for the pretrained baseline, trained alongside on the same tasks. */
  basePre: number;
  basePost: number;
  /** In comparison mode: [pre, post] of every compared method, by methodKey. */
  methods?: Record<string, [number, number]>;
}

/** One method of a comparison: an algorithm, trained with its own K where `shots` is given. */
export interface MethodSpec {
  algorithm: Algorithm;
  shots?: number;
}

export const methodKey = (m: MethodSpec) => (m.shots ? `${m.algorithm}-k${m.shots}` : m.algorithm);

/**
 * Which of the session's learners a compared method is: the meta-learner (config.algorithm),
 * the pretrained baseline, or an extra learner trained only for the comparison.
 */
export function methodSource(m: MethodSpec, config: { algorithm: Algorithm; shots: number }): 'learner' | 'baseline' | 'extra' {
  const shots = m.shots ?? config.shots;
  if (shots !== config.shots) return 'extra';
  if (m.algorithm === config.algorithm) return 'learner';
  if (m.algorithm === 'pretrained') return 'baseline';
  return 'extra';
}

/** The trajectory picture: theta's path and the trajectory tasks, projected. */
export interface TrajectoryPicture {
  iteration: number;
  /** Recorded theta snapshots, projected; the last one is the current theta. */
  points: { iteration: number; x: number; y: number }[];
  /** Fraction of the trajectory's variance along each axis. */
  explained: [number, number];
  tasks: TrajectoryTask[];
  /** The whole distance history so far. */
  distance: DistancePoint[];
  steps: number;
}
