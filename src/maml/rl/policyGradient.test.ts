import { describe, expect, it } from 'vitest';
import { createRng } from '../random';
import { GaussianMlp, initPolicy, type Params } from '../networks/gaussianPolicy';

/**
 * A one-step problem with a known answer: at a fixed observation x the policy's action
 * a ~ N(mu(x), sigma^2) earns r(a) = -|a - c|^2, so J(theta) = E[r] = -|mu - c|^2 - sum_j sigma_j^2.
 * The score-function estimate (with a mean-reward baseline) of grad J must match the exact
 * gradient (central differences of the closed form) within its own standard error.
 */
describe('policy-gradient estimate on a problem with a known answer', () => {
  const sizes = [2, 6, 2];
  const policy = new GaussianMlp(sizes);
  const theta: Params = initPolicy(sizes, createRng(11), -0.7).map((a) => Float64Array.from(a));
  theta[2].set([0.4, -0.3, 0.2, 0.1, -0.5, 0.3, 0.2, 0.6, -0.1, 0.2, 0.3, -0.4]);
  const x = [0.3, -0.2];
  const c = [0.25, -0.1];
  const J = (p: Params) => {
    const mu = policy.forward(p, x, 1).mean;
    const s = policy.logStd(p);
    return -((mu[0] - c[0]) ** 2) - (mu[1] - c[1]) ** 2 - Math.exp(2 * s[0]) - Math.exp(2 * s[1]);
  };
  function exactAlong(v: Float64Array[]): number {
    const h = 1e-6;
    const plus = theta.map((a, l) => Float64Array.from(a, (y, j) => y + h * v[l][j]));
    const minus = theta.map((a, l) => Float64Array.from(a, (y, j) => y - h * v[l][j]));
    return (J(plus) - J(minus)) / (2 * h);
  }
  function estimateAlong(v: Float64Array[], batches: number, n: number, seed: number): { mean: number; se: number } {
    const rng = createRng(seed);
    const obs = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) obs.set(x, 2 * i);
    const vals: number[] = [];
    for (let b = 0; b < batches; b++) {
      const cache = policy.forward(theta, obs, n);
      const a = new Float64Array(2 * n);
      policy.sample(theta, cache, rng, a);
      const r = Float64Array.from({ length: n }, (_, i) => -((a[2 * i] - c[0]) ** 2) - (a[2 * i + 1] - c[1]) ** 2);
      const mean = r.reduce((s, y) => s + y, 0) / n;
      const adv = r.map((y) => y - mean);
      // The surrogate's gradient is minus the estimate of grad J.
      const g = policy.lossGradient(theta, cache, a, adv, n);
      let d = 0;
      g.forEach((gl, l) => gl.forEach((y, j) => (d -= y * v[l][j])));
      vals.push(d);
    }
    const m = vals.reduce((s, y) => s + y, 0) / batches;
    const sd = Math.sqrt(vals.reduce((s, y) => s + (y - m) ** 2, 0) / (batches - 1));
    return { mean: m, se: sd / Math.sqrt(batches) };
  }
  const groups = theta.map((_, g) => g);
  for (const g of groups) {
    it(`along parameter group ${g}`, () => {
      const rng = createRng(100 + g);
      const v = theta.map((a, l) => Float64Array.from(a, () => (l === g ? rng.normal() : 0)));
      const exact = exactAlong(v);
      const est = estimateAlong(v, 20, 4000, 200 + g);
      expect(Math.abs(est.mean - exact)).toBeLessThan(4 * est.se + 1e-9);
      // The test has power: the estimate is precise enough to tell the exact value from zero
      // or from the opposite sign.
      expect(4 * est.se).toBeLessThan(Math.abs(exact));
    });
  }
});
