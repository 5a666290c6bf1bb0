/**
 * A locomotion-style task family mirroring the paper's "adapt direction and speed": a point mass
 * with momentum and friction. The action is a force clipped to [-1, 1] per axis; the velocity
 * follows v' = v + dt (a - friction v) (dt 0.1, friction 1, so a constant force f gives the
 * terminal velocity f) and the position p' = p + dt v'. The observation is the velocity; the task
 * is a goal velocity (direction uniform, speed uniform in [0.2, 0.8]); the reward is
 * -|v' - v_goal| - 0.05 |a|^2 (a clipped). Episodes last 100 steps.
 */
import type { Rng } from '../random';
import { clip, PlaneEnv, type Goal } from './env';

export const VELOCITY = {
  horizon: 100,
  maxForce: 1,
  dt: 0.1,
  friction: 1,
  controlCost: 0.05,
  minSpeed: 0.2,
  maxSpeed: 0.8,
} as const;

export function sampleVelocityGoal(rng: Rng): Goal {
  const angle = rng.uniform(0, 2 * Math.PI);
  const speed = rng.uniform(VELOCITY.minSpeed, VELOCITY.maxSpeed);
  return [speed * Math.cos(angle), speed * Math.sin(angle)];
}

export class VelocityEnv extends PlaneEnv {
  readonly family = 'velocity' as const;

  /** goals: one goal velocity per copy, [n, 2]; the observation is the velocity. */
  constructor(goals: Float64Array, horizon: number = VELOCITY.horizon) {
    super(goals, horizon, false);
  }

  step(actions: Float64Array, rewards: Float64Array): void {
    const { obs: v, pos, goals } = this;
    const { dt, friction, maxForce: m, controlCost } = VELOCITY;
    for (let i = 0; i < this.n; i++) {
      let cost = 0;
      let d2 = 0;
      for (let j = 0; j < 2; j++) {
        const k = 2 * i + j;
        const a = clip(actions[k], -m, m);
        cost += a * a;
        v[k] += dt * (a - friction * v[k]);
        pos[k] += dt * v[k];
        const e = v[k] - goals[k];
        d2 += e * e;
      }
      rewards[i] = -Math.sqrt(d2) - controlCost * cost;
    }
  }
}
