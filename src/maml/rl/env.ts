/**
 * The environments' common shape: a batch of independent copies (one per trajectory),
 * each with its own task parameters, stepped together. Pure TypeScript over Float64Array.
 */
import type { Rng } from '../random';

export type TaskFamily = 'navigation' | 'velocity';

export interface VecEnv {
  readonly family: TaskFamily;
  /** Number of environment copies stepped together. */
  readonly n: number;
  readonly obsDim: number;
  readonly actDim: number;
  readonly horizon: number;
  /** Task parameters of each copy (2 numbers: a goal position or a goal velocity), [n, 2]. */
  readonly goals: Float64Array;
  /** Current observation of each copy, [n, obsDim]. */
  readonly obs: Float64Array;
  /** Position of each copy's body in the plane, [n, 2] (for drawing). */
  readonly pos: Float64Array;
  /** Whether each copy has finished its episode. */
  readonly done: Uint8Array;
  /** Starts every copy's episode (at t = 0). */
  reset(): void;
  /**
   * Applies actions [n, actDim] (clipped inside) to the copies that are not done; writes each
   * copy's reward into rewards [n] (0 for copies already done) and marks terminations.
   */
  step(actions: Float64Array, rewards: Float64Array): void;
}

/** A task: its two numbers (a goal position or a goal velocity). */
export type Goal = [number, number];

export interface TaskSampler {
  sample(rng: Rng): Goal;
}

/**
 * What both task families share: copies of a body in the plane with two goal numbers each, two
 * observations and two actions per copy. A family gives its dynamics (step) and whether the
 * observation is the position (navigation) or a separate quantity (velocity).
 */
export abstract class PlaneEnv implements VecEnv {
  abstract readonly family: TaskFamily;
  readonly obsDim = 2;
  readonly actDim = 2;
  readonly obs: Float64Array;
  readonly pos: Float64Array;
  readonly done: Uint8Array;

  /** goals: one goal per copy, [n, 2]. */
  constructor(
    readonly goals: Float64Array,
    readonly horizon: number,
    observesPosition: boolean,
  ) {
    if (goals.length % 2 !== 0) throw new Error('goals must be [n, 2]');
    this.obs = new Float64Array(goals.length);
    this.pos = observesPosition ? this.obs : new Float64Array(goals.length);
    this.done = new Uint8Array(goals.length / 2);
  }

  get n(): number {
    return this.done.length;
  }

  reset(): void {
    this.obs.fill(0);
    this.pos.fill(0);
    this.done.fill(0);
  }

  abstract step(actions: Float64Array, rewards: Float64Array): void;
}

export function clip(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
