import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../random';
import { fitProjection, type Projection } from './projection';

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
};

function randomUnit(rng: Rng, d: number, against: Float64Array[] = []): Float64Array {
  const v = new Float64Array(d);
  for (let j = 0; j < d; j++) v[j] = rng.normal();
  for (const u of against) {
    const c = dot(v, u);
    for (let j = 0; j < d; j++) v[j] -= c * u[j];
  }
  const n = Math.sqrt(dot(v, v));
  for (let j = 0; j < d; j++) v[j] /= n;
  return v;
}

/** n points offset + a_i e1 + b_i e2 + noise, in R^d, with a known plane (e1, e2). */
function planeData(seed: number, n: number, d: number, noise: number) {
  const rng = createRng(seed);
  const e1 = randomUnit(rng, d);
  const e2 = randomUnit(rng, d, [e1]);
  const offset = Float64Array.from({ length: d }, () => rng.normal());
  const points: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    // A curved path like the principal components of a training trajectory (a random
    // walk's are the Lissajous curves cos(k pi t)): variance 4.5 along e1, 1.125 along e2.
    const t = i / (n - 1);
    const a = -3 * Math.cos(Math.PI * t) + 0.1 * rng.normal();
    const b = 1.5 * Math.cos(2 * Math.PI * t) + 0.1 * rng.normal();
    points.push(Float32Array.from({ length: d }, (_, j) => offset[j] + a * e1[j] + b * e2[j] + noise * rng.normal()));
  }
  return { points, e1, e2 };
}

function expectOrthonormal(p: Projection) {
  expect(dot(p.axes[0], p.axes[0])).toBeCloseTo(1, 5);
  expect(dot(p.axes[1], p.axes[1])).toBeCloseTo(1, 5);
  expect(Math.abs(dot(p.axes[0], p.axes[1]))).toBeLessThan(1e-5);
}

describe('fitProjection', () => {
  it('recovers a known 2-D plane in R^500 from 60 noisy points', () => {
    const { points, e1, e2 } = planeData(1, 60, 500, 0.01);
    const p = fitProjection(points);
    expectOrthonormal(p);
    // Each true basis vector lies in span(axes): the norm of its projection is ~1.
    for (const e of [e1, e2]) {
      const inPlane = Math.hypot(dot(e, p.axes[0]), dot(e, p.axes[1]));
      expect(inPlane).toBeGreaterThan(0.99);
    }
    const [x0, x1] = p.explained;
    expect(x0).toBeGreaterThan(x1);
    expect(x1).toBeGreaterThan(0.05);
    expect(x0 + x1).toBeGreaterThan(0.99);
    expect(x0 + x1).toBeLessThanOrEqual(1 + 1e-9);
    const [m0, m1] = p.project(p.mean);
    expect(Math.abs(m0)).toBeLessThan(1e-4);
    expect(Math.abs(m1)).toBeLessThan(1e-4);
    // The projected points have zero mean and the explained variances.
    const coords = points.map((v) => p.project(v));
    const total = points.reduce((s, v) => s + dot(v, v) - 2 * dot(v, p.mean) + dot(p.mean, p.mean), 0);
    for (const k of [0, 1]) {
      expect(Math.abs(coords.reduce((s, c) => s + c[k], 0) / points.length)).toBeLessThan(1e-3);
      expect(coords.reduce((s, c) => s + c[k] ** 2, 0) / total).toBeCloseTo(p.explained[k], 3);
    }
    // Deterministic signs: the run starts on the negative side of both axes.
    expect(coords[0][0]).toBeLessThan(0);
    expect(coords[0][1]).toBeLessThan(0);
  });

  it('does not flip its axes as the trajectory grows', () => {
    // A random walk in R^300 with shrinking steps, like theta during meta-training.
    const rng = createRng(2);
    const d = 300;
    const walk: Float32Array[] = [];
    const x = new Float64Array(d);
    for (let i = 0; i < 120; i++) {
      walk.push(Float32Array.from(x));
      const size = 1 / Math.sqrt(1 + i / 10);
      for (let j = 0; j < d; j++) x[j] += size * (rng.normal() + 0.2 * Math.sin(j));
    }
    const fits = [40, 60, 80, 100, 120].map((n) => fitProjection(walk.slice(0, n)));
    for (let i = 1; i < fits.length; i++) {
      expect(dot(fits[i].axes[0], fits[i - 1].axes[0])).toBeGreaterThan(0.5);
      expect(dot(fits[i].axes[1], fits[i - 1].axes[1])).toBeGreaterThan(0);
    }
    for (const f of fits) {
      const [c0, c1] = f.project(walk[0]);
      expect(c0).toBeLessThan(0);
      expect(c1).toBeLessThan(0);
    }
    // The same snapshots give exactly the same projection.
    const again = fitProjection(walk.slice(0, 120));
    expect(Array.from(again.axes[0])).toEqual(Array.from(fits[4].axes[0]));
    expect(Array.from(again.axes[1])).toEqual(Array.from(fits[4].axes[1]));
  });

  it('handles degenerate trajectories without NaN', () => {
    const d = 50;
    const a = Float32Array.from({ length: d }, (_, j) => Math.sin(j));
    const b = Float32Array.from({ length: d }, (_, j) => Math.sin(j) + (j % 3) * 0.5);
    const finite = (p: Projection, v: Float32Array) => {
      const c = p.project(v);
      expect(c.every(Number.isFinite)).toBe(true);
      expect(p.explained.every(Number.isFinite)).toBe(true);
      expect(p.axes.every((ax) => ax.every(Number.isFinite))).toBe(true);
      expect(p.mean.every(Number.isFinite)).toBe(true);
      return c;
    };

    const none = fitProjection([]);
    expect(none.project(a)).toEqual([0, 0]);
    expect(none.explained).toEqual([0, 0]);

    const one = fitProjection([a]);
    expectOrthonormal(one);
    expect(one.explained).toEqual([0, 0]);
    expect(finite(one, a)).toEqual([0, 0]);
    finite(one, b);

    const same = fitProjection([a, a, a]);
    expectOrthonormal(same);
    expect(same.explained).toEqual([0, 0]);
    expect(finite(same, a)).toEqual([0, 0]);

    // Two points: one direction (their difference), the other axis orthogonal to it.
    const two = fitProjection([a, b]);
    expectOrthonormal(two);
    expect(two.explained[0]).toBeCloseTo(1, 9);
    expect(two.explained[1]).toBe(0);
    let dist = 0;
    for (let j = 0; j < d; j++) dist += (b[j] - a[j]) ** 2;
    dist = Math.sqrt(dist);
    const [pa, pb] = [finite(two, a), finite(two, b)];
    expect(pa[0]).toBeCloseTo(-dist / 2, 5); // the first snapshot on the negative side
    expect(pb[0]).toBeCloseTo(dist / 2, 5);
    expect(Math.abs(pa[1])).toBeLessThan(1e-6);
    expect(Math.abs(pb[1])).toBeLessThan(1e-6);

    // Points on a line (rank 1) with repeats.
    const line = fitProjection([a, b, a, b, b]);
    expectOrthonormal(line);
    expect(line.explained[1]).toBe(0);
    finite(line, b);

    // One dimension: the second axis cannot exist and is zero, still no NaN.
    const oneDim = fitProjection([Float32Array.of(1), Float32Array.of(3)]);
    expect(oneDim.explained[0]).toBeCloseTo(1, 9);
    expect(oneDim.explained[1]).toBe(0);
    expect(finite(oneDim, Float32Array.of(3))).toEqual([1, 0]);

    expect(() => fitProjection([a, Float32Array.of(1)])).toThrow();
    expect(() => one.project(Float32Array.of(1))).toThrow();
  });

  it('finds the plane in trajectories of the app size (200 snapshots of 1,761 parameters)', () => {
    // Timing belongs to the benchmarks; this checks the result at full size.
    const { points } = planeData(3, 200, 1761, 0.01);
    for (const n of [100, 200]) {
      const p = fitProjection(points.slice(0, n));
      expect(p.explained[0] + p.explained[1]).toBeGreaterThan(0.9);
    }
  });
});
