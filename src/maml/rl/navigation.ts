/**
 * 2-D navigation (Finn et al. 2017, section 5.3): a point in the plane starting at the origin,
 * observing its position; the action is a velocity clipped to [-0.1, 0.1] per axis; the reward
 * is the negative squared distance to the goal after the move; an episode ends after 100 steps
 * or when the point is within 0.01 of the goal. Goals are uniform in the unit square centred on
 * the start, [-0.5, 0.5]^2 (as in the paper's code).
 */
import type { Rng } from '../random';
import { clip, PlaneEnv, type Goal } from './env';

export const NAVIGATION = {
  horizon: 100,
  maxStep: 0.1,
  goalLow: -0.5,
  goalHigh: 0.5,
  successRadius: 0.01,
} as const;

export function sampleNavigationGoal(rng: Rng): Goal {
  return [rng.uniform(NAVIGATION.goalLow, NAVIGATION.goalHigh), rng.uniform(NAVIGATION.goalLow, NAVIGATION.goalHigh)];
}

export class NavigationEnv extends PlaneEnv {
  readonly family = 'navigation' as const;

  /** goals: one goal per copy, [n, 2]; the observation is the position. */
  constructor(goals: Float64Array, horizon: number = NAVIGATION.horizon) {
    super(goals, horizon, true);
  }

  step(actions: Float64Array, rewards: Float64Array): void {
    const { obs, goals, done } = this;
    const m = NAVIGATION.maxStep;
    const r2 = NAVIGATION.successRadius * NAVIGATION.successRadius;
    for (let i = 0; i < this.n; i++) {
      if (done[i]) {
        rewards[i] = 0;
        continue;
      }
      const x = (obs[2 * i] += clip(actions[2 * i], -m, m));
      const y = (obs[2 * i + 1] += clip(actions[2 * i + 1], -m, m));
      const dx = x - goals[2 * i];
      const dy = y - goals[2 * i + 1];
      const d2 = dx * dx + dy * dy;
      rewards[i] = -d2;
      if (d2 < r2) done[i] = 1;
    }
  }
}
