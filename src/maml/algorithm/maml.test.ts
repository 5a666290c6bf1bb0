import { describe, expect, it } from 'vitest';
import { arrayAlgebra, mamlGradient, type MamlTask } from './maml';

// A task with known derivatives: support loss ½ θᵀAθ − bᵀθ (gradient Aθ − b, Hessian A, which
// the task must evaluate at the right step's parameters: A depends on nothing here, so the
// step index is checked instead), query loss ½|θ − c|² (gradient θ − c).
const A = [
  [2, 0.5, 0],
  [0.5, 1, -0.3],
  [0, -0.3, 1.5],
];
const b = [1, -2, 0.5];
const c = [0.3, 0.7, -1];
const mul = (M: number[][], x: ArrayLike<number>) => M.map((row) => row.reduce((s, a, j) => s + a * x[j], 0));

function quadraticTask(log: string[]): MamlTask<Float64Array[], number> {
  let taken = 0;
  return {
    innerStep(s, [theta], alpha) {
      expect(s).toBe(taken++);
      const g = mul(A, theta).map((v, i) => v - b[i]);
      return [Float64Array.from(theta, (v, i) => v - alpha * g[i])];
    },
    hvp(s, [v]) {
      log.push(`hvp ${s}`);
      return [Float64Array.from(mul(A, v))];
    },
    query([theta]) {
      const d = Float64Array.from(theta, (v, i) => v - c[i]);
      return { grads: [d], result: 0.5 * d.reduce((s, x) => s + x * x, 0) };
    },
  };
}

/** The query loss after `steps` inner steps from theta, composed by hand. */
function postLoss(theta: number[], alpha: number, steps: number): number {
  let t = theta;
  for (let s = 0; s < steps; s++) {
    const g = mul(A, t).map((v, i) => v - b[i]);
    t = t.map((v, i) => v - alpha * g[i]);
  }
  return 0.5 * t.reduce((s, v, i) => s + (v - c[i]) ** 2, 0);
}

const theta0 = [0.4, -0.1, 0.9];
const run = (variant: 'maml2' | 'maml1' | 'reptile', steps: number, log: string[] = []) =>
  mamlGradient(quadraticTask(log), arrayAlgebra, [Float64Array.from(theta0)], { alpha: 0.2, steps, variant });

describe('mamlGradient', () => {
  it.each([1, 2, 3])('second order through %i steps equals the finite-difference gradient of the query loss after adaptation', (steps) => {
    const log: string[] = [];
    const { grads, query } = run('maml2', steps, log);
    expect(query).toBeCloseTo(postLoss(theta0, 0.2, steps), 12);
    const h = 1e-6;
    for (let i = 0; i < 3; i++) {
      const up = theta0.map((v, j) => (j === i ? v + h : v));
      const down = theta0.map((v, j) => (j === i ? v - h : v));
      const fd = (postLoss(up, 0.2, steps) - postLoss(down, 0.2, steps)) / (2 * h);
      expect(grads[0][i]).toBeCloseTo(fd, 7);
    }
    // The pull-back visits the steps last to first, once each.
    expect(log).toEqual(Array.from({ length: steps }, (_, k) => `hvp ${steps - 1 - k}`));
  });

  it('first order is the query gradient at the adapted parameters; Reptile is θ − θ_K; neither takes a Hessian product', () => {
    const log: string[] = [];
    const first = run('maml1', 2, log);
    const adapted = first.adapted[0];
    first.grads[0].forEach((g, i) => expect(g).toBeCloseTo(adapted[i] - c[i], 14));
    const reptile = run('reptile', 2, log);
    reptile.grads[0].forEach((g, i) => expect(g).toBeCloseTo(theta0[i] - adapted[i], 14));
    expect(log).toEqual([]);
  });

  it('with no inner steps every variant but Reptile is the query gradient at θ (the pretrained baseline)', () => {
    for (const variant of ['maml2', 'maml1'] as const) {
      run(variant, 0).grads[0].forEach((g, i) => expect(g).toBeCloseTo(theta0[i] - c[i], 14));
    }
    run('reptile', 0).grads[0].forEach((g) => expect(g).toBe(0));
  });
});
