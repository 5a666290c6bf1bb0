import { describe, expect, it } from 'vitest';
import { createRng } from '../random';
import { NAVIGATION, NavigationEnv, sampleNavigationGoal } from './navigation';
import { VELOCITY, VelocityEnv, sampleVelocityGoal } from './velocity';
import { rollout, trajectoryReturns } from './rollout';
import { GaussianMlp, initPolicy } from '../networks/gaussianPolicy';
import { advantages, returnsToGo, solveSpd } from './baseline';

describe('2-D navigation', () => {
  it('moves by the clipped action, rewards minus the squared distance, and ends within 0.01 of the goal', () => {
    const env = new NavigationEnv(Float64Array.of(0.3, -0.2, 0.05, 0));
    env.reset();
    const r = new Float64Array(2);
    env.step(Float64Array.of(5, -0.05, 0.02, 0.001), r);
    expect(Array.from(env.obs)).toEqual([0.1, -0.05, 0.02, 0.001]);
    expect(r[0]).toBeCloseTo(-(0.2 ** 2 + 0.15 ** 2), 12);
    expect(r[1]).toBeCloseTo(-(0.03 ** 2 + 0.001 ** 2), 12);
    expect(Array.from(env.done)).toEqual([0, 0]);
    env.step(Float64Array.of(0.1, -0.1, 0.025, 0), r);
    // Copy 1 is now 0.005 from its goal: done; copy 0 is not.
    expect(Array.from(env.done)).toEqual([0, 1]);
    const before = Array.from(env.obs.subarray(2));
    env.step(Float64Array.of(0, 0, 0.1, 0.1), r);
    expect(Array.from(env.obs.subarray(2))).toEqual(before);
    expect(r[1]).toBe(0);
  });
  it('draws goals uniformly in the unit square around the start, reproducibly', () => {
    const a = Array.from({ length: 2000 }, () => sampleNavigationGoal(createRng(7)));
    expect(a[0]).toEqual(a[1]);
    const rng = createRng(8);
    const g = Array.from({ length: 4000 }, () => sampleNavigationGoal(rng)).flat();
    expect(Math.min(...g)).toBeGreaterThanOrEqual(NAVIGATION.goalLow);
    expect(Math.max(...g)).toBeLessThan(NAVIGATION.goalHigh);
    const mean = g.reduce((s, x) => s + x, 0) / g.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(g.filter((x) => x > 0.25).length / g.length).toBeCloseTo(0.25, 1);
  });
});

describe('velocity task', () => {
  it('has momentum and friction, clips the force, and rewards minus the velocity error minus the control cost', () => {
    const env = new VelocityEnv(Float64Array.of(0.5, 0));
    env.reset();
    const r = new Float64Array(1);
    env.step(Float64Array.of(3, -0.5), r);
    // v = 0 + 0.1 (clip(3) - 0) = 0.1, and -0.05
    expect(env.obs[0]).toBeCloseTo(0.1, 12);
    expect(env.obs[1]).toBeCloseTo(-0.05, 12);
    expect(env.pos[0]).toBeCloseTo(0.01, 12);
    expect(r[0]).toBeCloseTo(-Math.hypot(0.1 - 0.5, -0.05) - VELOCITY.controlCost * (1 + 0.25), 12);
    // With no force the velocity decays by the friction, keeping its direction.
    env.step(Float64Array.of(0, 0), r);
    expect(env.obs[0]).toBeCloseTo(0.09, 12);
    // A constant force f drives the velocity to f.
    for (let t = 0; t < 200; t++) env.step(Float64Array.of(0.5, 0), r);
    expect(env.obs[0]).toBeCloseTo(0.5, 6);
    expect(r[0]).toBeCloseTo(-VELOCITY.controlCost * 0.25, 6);
  });
  it('draws goal speeds within their range in every direction', () => {
    const rng = createRng(9);
    const g = Array.from({ length: 2000 }, () => sampleVelocityGoal(rng));
    const speeds = g.map(([x, y]) => Math.hypot(x, y));
    expect(Math.min(...speeds)).toBeGreaterThanOrEqual(VELOCITY.minSpeed);
    expect(Math.max(...speeds)).toBeLessThanOrEqual(VELOCITY.maxSpeed);
    const quadrants = [0, 0, 0, 0];
    for (const [x, y] of g) quadrants[(x > 0 ? 1 : 0) + (y > 0 ? 2 : 0)]++;
    for (const q of quadrants) expect(q / g.length).toBeCloseTo(0.25, 1);
  });
});

describe('batched rollouts', () => {
  const sizes = [2, 8, 8, 2];
  const policy = new GaussianMlp(sizes);
  const theta = initPolicy(sizes, createRng(1));
  it('are reproducible from the seed and match stepping one environment by hand', () => {
    const goals: [number, number][] = [
      [0.3, 0.1],
      [-0.2, 0.4],
    ];
    const a = rollout(policy, [theta], 'navigation', goals, 3, createRng(5));
    const b = rollout(policy, [theta], 'navigation', goals, 3, createRng(5));
    expect(Array.from(trajectoryReturns(a))).toEqual(Array.from(trajectoryReturns(b)));
    // Replay trajectory 4 (task 1) with its recorded actions.
    const env = new NavigationEnv(Float64Array.of(...goals[1]));
    env.reset();
    const r = new Float64Array(1);
    let ret = 0;
    const H = a.horizon;
    for (let t = 0; t < a.lengths[4]; t++) {
      expect(env.obs[0]).toBeCloseTo(a.obs[(4 * H + t) * 2], 12);
      env.step(a.actions.subarray((4 * H + t) * 2, (4 * H + t + 1) * 2), r);
      ret += r[0];
    }
    expect(trajectoryReturns(a)[4]).toBeCloseTo(ret, 10);
    // Actions are clipped by the environment, not in the record: the initial std is 1.
    expect(Math.max(...Array.from(a.actions).map(Math.abs))).toBeGreaterThan(0.5);
  });
  it('stop recording a trajectory when it reaches its goal', () => {
    // A goal at the start: the first step lands within 0.01 only if the action is tiny, so use a
    // policy whose mean is 0 and whose std is tiny.
    const still = initPolicy(sizes, createRng(1), -12);
    still[4].fill(0);
    still[5].fill(0);
    const tr = rollout(policy, [still], 'navigation', [[0.001, 0]], 2, createRng(3));
    expect(Array.from(tr.lengths)).toEqual([1, 1]);
    expect(tr.valid[1]).toBe(0);
    expect(tr.rewards[1]).toBe(0);
  });
  it('returns-to-go are discounted sums and the advantages are normalised per task', () => {
    const tr = rollout(
      policy,
      [theta],
      'velocity',
      [
        [0.5, 0],
        [0, -0.3],
      ],
      4,
      createRng(2),
    );
    const g = returnsToGo(tr, 0.9);
    const H = tr.horizon;
    expect(g[H - 1]).toBeCloseTo(tr.rewards[H - 1], 12);
    expect(g[H - 2]).toBeCloseTo(tr.rewards[H - 2] + 0.9 * tr.rewards[H - 1], 12);
    const adv = advantages(tr);
    for (let i = 0; i < 2; i++) {
      const seg = Array.from(adv.subarray(i * 4 * H, (i + 1) * 4 * H));
      const m = seg.reduce((s, x) => s + x, 0) / seg.length;
      const v = seg.reduce((s, x) => s + (x - m) ** 2, 0) / seg.length;
      expect(Math.abs(m)).toBeLessThan(1e-9);
      expect(v).toBeCloseTo(1, 6);
    }
  });
  it('the ridge solver solves a known system', () => {
    const x = solveSpd(Float64Array.of(4, 2, 2, 3), Float64Array.of(2, 1), 2)!;
    expect(x[0]).toBeCloseTo(0.5, 12);
    expect(x[1]).toBeCloseTo(0, 12);
    expect(solveSpd(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1), 2)).toBeNull();
  });
});
