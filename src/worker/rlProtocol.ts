/**
 * Messages between the page and the RL worker. Paths travel as Float32Arrays of (x, y) pairs.
 */
import type { TaskFamily } from '../maml/rl/env';
import type { RlMethod } from '../maml/rl/rlConfig';

export interface RlCurvePoint {
  iteration: number;
  returnBefore: number;
  returnAfter: number;
}

/** One starting point's rollouts for one goal: before and after one inner step. */
export interface MethodAdaptation {
  method: RlMethod;
  /** Mean return over the trajectories, before and after. */
  returnBefore: number;
  returnAfter: number;
  /** Drawn rollouts: body positions [horizon + 1, 2] each. */
  before: Float32Array[];
  after: Float32Array[];
  /** Velocity family: velocities [horizon + 1, 2] of the drawn rollouts. */
  velocityBefore?: Float32Array[];
  velocityAfter?: Float32Array[];
}

export interface AdaptationView {
  family: TaskFamily;
  goal: [number, number];
  serial: number;
  trajectories: number;
  alpha: number;
  methods: MethodAdaptation[];
  /** The maml model's iteration. */
  iteration: number;
  seconds: number;
}

export type ToRlWorker =
  | { type: 'init'; baseUrl: string; backend: string }
  | { type: 'adapt'; family: TaskFamily; goal: [number, number]; serial: number }
  | { type: 'train'; family: TaskFamily }
  | { type: 'pause' };

export type FromRlWorker =
  | { type: 'status'; message: string }
  | { type: 'ready'; backend: string; note: string }
  | { type: 'model'; family: TaskFamily; iteration: number; curves: RlCurvePoint[]; pretrainedIteration: number; shipped: boolean }
  | { type: 'adaptation'; view: AdaptationView }
  | { type: 'progress'; family: TaskFamily; running: boolean; iteration: number; points: RlCurvePoint[]; secondsPerIteration: number }
  | { type: 'error'; message: string };
