import { describe, expect, it } from 'vitest';
import { createRng } from '../random';
import { advantages } from './baseline';
import { GaussianMlp, initPolicy, type Params } from '../networks/gaussianPolicy';
import { metaObjective, sampleGoals, type MamlTaskData, adaptAndSample } from './mamlRl';
import { taskSamples } from './policyGradient';

/** Float64 copies with the log-std moved off its initial value (so no term is trivially zero). */
function float64Params(sizes: number[], seed: number): Float64Array[] {
  const p = initPolicy(sizes, createRng(seed), -0.5).map((a) => Float64Array.from(a));
  const rng = createRng(seed + 100);
  for (const a of p) for (let i = 0; i < a.length; i++) a[i] += 0.05 * rng.normal();
  return p;
}

function dot(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  let s = 0;
  for (let l = 0; l < a.length; l++) for (let j = 0; j < a[l].length; j++) s += a[l][j] * b[l][j];
  return s;
}

function along(p: Params, v: Float64Array[], h: number): Float64Array[] {
  return p.map((a, l) => Float64Array.from(a, (x, j) => x + h * v[l][j]));
}

function randomDirection(p: Params, seed: number): Float64Array[] {
  const rng = createRng(seed);
  return p.map((a) => Float64Array.from(a, () => rng.normal()));
}

/** One parameter group only (the rest zero): each group's gradient is checked on its own. */
function groupDirection(p: Params, group: number, seed: number): Float64Array[] {
  const rng = createRng(seed);
  return p.map((a, l) => Float64Array.from(a, () => (l === group ? rng.normal() : 0)));
}

const sizes = [2, 6, 5, 2];

describe('policy gradient kernel (float64, finite differences)', () => {
  const policy = new GaussianMlp(sizes);
  const theta = float64Params(sizes, 3);
  const rng = createRng(4);
  const goals = sampleGoals('navigation', 2, rng);
  const a = adaptAndSample(
    policy,
    theta,
    'navigation',
    goals,
    { alpha: 0.1, innerTrajectories: 3, outerTrajectories: 3, gamma: 0.99 },
    rng,
  );
  const s = taskSamples(a.pre, a.preAdvantages, 0);
  const loss = (p: Params) => policy.loss(p, policy.forward(p, s.obs, s.rows), s.actions, s.advantages, s.count);

  for (let group = 0; group < theta.length; group++) {
    it(`gradient and Hessian-vector product along parameter group ${group}`, () => {
      const v = groupDirection(theta, group, 10 + group);
      const h = 1e-5;
      const cache = policy.forward(theta, s.obs, s.rows);
      const g = policy.lossGradient(theta, cache, s.actions, s.advantages, s.count);
      const fd = (loss(along(theta, v, h)) - loss(along(theta, v, -h))) / (2 * h);
      expect(Math.abs(dot(g, v) - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
      expect(Math.abs(fd)).toBeGreaterThan(1e-6);
      // H v against the difference of gradients along v.
      const hv = policy.hvp(theta, cache, s.actions, s.advantages, s.count, v);
      const gp = policy.lossGradient(
        along(theta, v, h),
        policy.forward(along(theta, v, h), s.obs, s.rows),
        s.actions,
        s.advantages,
        s.count,
      );
      const gm = policy.lossGradient(
        along(theta, v, -h),
        policy.forward(along(theta, v, -h), s.obs, s.rows),
        s.actions,
        s.advantages,
        s.count,
      );
      let err = 0,
        scale = 0;
      for (let l = 0; l < hv.length; l++)
        for (let j = 0; j < hv[l].length; j++) {
          const f = (gp[l][j] - gm[l][j]) / (2 * h);
          err = Math.max(err, Math.abs(hv[l][j] - f));
          scale = Math.max(scale, Math.abs(f));
        }
      expect(scale).toBeGreaterThan(1e-6);
      expect(err).toBeLessThan(1e-5 * Math.max(1, scale));
    });
  }
});

describe('MAML meta-gradient (fixed trajectories, finite differences)', () => {
  const policy = new GaussianMlp(sizes);
  const theta = float64Params(sizes, 5);
  const rng = createRng(6);
  const goals = sampleGoals('velocity', 3, rng);
  const c = { alpha: 0.1, innerTrajectories: 4, outerTrajectories: 4, gamma: 0.99 };
  const a = adaptAndSample(policy, theta, 'velocity', goals, c, rng);
  const postAdv = advantages(a.post);
  const tasks: MamlTaskData[] = goals.map((_, i) => {
    const post = taskSamples(a.post, postAdv, i);
    // The sampling policy is a little off the current adapted one, so ratios differ from 1
    // (as in later epochs), but the clip (0.5) stays inactive for a small perturbation.
    const off = along(a.adapted[i], randomDirection(theta, 40 + i), 0.002);
    return {
      pre: taskSamples(a.pre, a.preAdvantages, i),
      post,
      logpOld: policy.logProb(off, policy.forward(off, post.obs, post.rows), post.actions),
    };
  });
  const eps = 0.5;
  it('matches central differences along random directions and along each parameter group', () => {
    const m = metaObjective(policy, theta, tasks, c.alpha, eps);
    const dirs = [randomDirection(theta, 20), randomDirection(theta, 21), ...theta.map((_, g) => groupDirection(theta, g, 30 + g))];
    // h small enough that no ReLU kink is crossed (at 1e-4 and 1e-5 some are, on these samples).
    for (const v of dirs) {
      const h = 1e-6;
      const fd =
        (metaObjective(policy, along(theta, v, h), tasks, c.alpha, eps).loss -
          metaObjective(policy, along(theta, v, -h), tasks, c.alpha, eps).loss) /
        (2 * h);
      expect(Math.abs(fd)).toBeGreaterThan(1e-7);
      expect(Math.abs(dot(m.grads, v) - fd)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)));
    }
  });
  it('differs from the first-order approximation (the Hessian term matters)', () => {
    const m = metaObjective(policy, theta, tasks, c.alpha, eps);
    const m0 = metaObjective(policy, theta, tasks, 0, eps);
    // Same theta' only when alpha = 0; with alpha the exact gradient must include -alpha H g.
    const v = randomDirection(theta, 22);
    expect(Math.abs(dot(m.grads, v) - dot(m0.grads, v))).toBeGreaterThan(1e-4);
  });
});
