/**
 * Messages between the page and the RL worker. Paths travel as Float32Arrays of (x, y) pairs.
 */
import type { ModelUpload } from '../maml/io/modelImport';
import type { ModelFileData } from './modelFiles';
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
  /** Mean return after each step (the last is returnAfter). */
  returnAfterEach: number[];
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
  /** Policy-gradient steps taken. */
  steps: number;
  methods: MethodAdaptation[];
  /** The maml model's iteration. */
  iteration: number;
  seconds: number;
}

export type ToRlWorker =
  | { type: 'init'; baseUrl: string; backend: string }
  /** Rollouts before and after `steps` (default 1) policy-gradient steps toward the goal, from each starting point. */
  | { type: 'adapt'; family: TaskFamily; goal: [number, number]; serial: number; steps?: number }
  | { type: 'train'; family: TaskFamily }
  | { type: 'pause' }
  /** Save the continued training in this browser now (the page is hidden or being left). */
  | { type: 'persist' }
  /** Back to the shipped maml policy of a family, dropping what was trained here. */
  | { type: 'reset'; family: TaskFamily }
  /** The family's meta-policy as the project's checkpoint (manifest + weights, Adam's state included). */
  | { type: 'exportModel'; family: TaskFamily }
  /** A policy the user chose (checked by io/modelImport.ts): replaces its family's meta-policy, or is refused with nothing changed. */
  | { type: 'importModel'; upload: ModelUpload };

export type FromRlWorker =
  /** Saving in this browser failed or a saved state could not be restored: shown once, the lab runs on. */
  | { type: 'storage'; message: string }
  | { type: 'status'; message: string }
  | { type: 'ready'; backend: string; note: string }
  | {
      type: 'model';
      family: TaskFamily;
      iteration: number;
      curves: RlCurvePoint[];
      pretrainedIteration: number;
      /** The shipped maml policy's iteration; `iteration` is beyond it when training continued here. */
      shippedIteration: number;
      /** When the policy came back from this browser's storage: the time it was saved. */
      restoredFrom?: string;
      /** When the policy was imported from a file: which, and how far it was trained. */
      importedFrom?: string;
    }
  | { type: 'modelFiles'; files: ModelFileData[]; note: string }
  | { type: 'importResult'; ok: boolean; message: string; family?: TaskFamily }
  | { type: 'adaptation'; view: AdaptationView }
  | { type: 'progress'; family: TaskFamily; running: boolean; iteration: number; points: RlCurvePoint[]; secondsPerIteration: number }
  | { type: 'error'; message: string };
