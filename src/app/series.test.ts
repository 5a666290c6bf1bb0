import { describe, expect, it } from 'vitest';
import type { CurvePoint } from '../worker/protocol';
import { appendPoints, emptySeries, movingAverage, thinned, visiblePoints } from './series';

describe('training curve series', () => {
  it('stays within its limit with uniform bins over the whole run', () => {
    let s = emptySeries(500);
    for (let i = 1; i <= 10_000; i++) s = appendPoints(s, [{ iteration: i, pre: i, post: 1, basePre: 2, basePost: 2 }]);
    const pts = visiblePoints(s);
    expect(pts.length).toBeLessThanOrEqual(501);
    expect(pts.length).toBeGreaterThan(240);
    expect(pts[pts.length - 1].iteration).toBe(10_000);
    // The first bin covers only the first `stride` iterations, and every bin is as wide.
    expect(pts[0].iteration).toBe(s.stride);
    const widths = new Set(s.points.map((p, i) => p.iteration - (i ? s.points[i - 1].iteration : 0)));
    expect([...widths]).toEqual([s.stride]);
    // Each bin holds the mean of its iterations: pre = iteration, so the bin mean is its centre.
    expect(pts[0].pre).toBeCloseTo((1 + s.stride) / 2, 6);
    expect(pts.every((p) => p.post === 1)).toBe(true);
  });
});

describe('training curve series in comparison mode', () => {
  it('bins every compared method like the main curves', () => {
    let s = emptySeries(4);
    for (let i = 1; i <= 40; i++)
      s = appendPoints(s, [{ iteration: i, pre: 1, post: 1, basePre: 1, basePost: 1, methods: { maml2: [i, 2], reptile: [0, 4] } }]);
    const pts = visiblePoints(s);
    expect(pts.length).toBeLessThanOrEqual(5);
    for (const p of s.points) {
      expect(p.methods!.reptile).toEqual([0, 4]);
      expect(p.methods!.maml2[1]).toBeCloseTo(2, 9);
    }
    // The first bin's mean of iterations 1..stride.
    expect(s.points[0].methods!.maml2[0]).toBeCloseTo((1 + s.stride) / 2, 9);
  });
});

describe('drawing a curve', () => {
  it('the moving average matches the direct mean over the trailing window', () => {
    const pts = Array.from({ length: 50 }, (_, i) => ({ iteration: i + 1, pre: Math.sin(i) * 3 + i, post: 0, basePre: 0, basePost: 0 }));
    const avg = movingAverage(pts, (p) => p.pre, 7);
    avg.forEach(([it, v], i) => {
      const from = Math.max(0, i - 6);
      const direct = pts.slice(from, i + 1).reduce((s, p) => s + p.pre, 0) / (i + 1 - from);
      expect(it).toBe(i + 1);
      expect(v).toBeCloseTo(direct, 9);
    });
  });
  it('thinning keeps at most about max points, the first and the last', () => {
    const items = Array.from({ length: 1501 }, (_, i) => i);
    const t = thinned(items, 320);
    expect(t.length).toBeLessThanOrEqual(321);
    expect(t.length).toBeGreaterThan(250);
    expect(t[0]).toBe(0);
    expect(t[t.length - 1]).toBe(1500);
    expect(thinned([1, 2, 3], 320)).toEqual([1, 2, 3]);
  });
  it('a value missing from some points is left out of their means', () => {
    const pts: CurvePoint[] = [1, 2, 3, 4].map((i) => ({
      iteration: i,
      pre: 0,
      post: 0,
      basePre: 0,
      basePost: 0,
      methods: (i === 2 ? {} : { m: [0, i] }) as Record<string, [number, number]>,
    }));
    const avg = movingAverage(pts, (p) => p.methods?.m?.[1], 2);
    expect(avg.map(([, v]) => v)).toEqual([1, 1, 3, 3.5]);
    expect(movingAverage(pts.slice(1, 2), (p) => p.methods?.m?.[1], 2)[0][1]).toBeNaN();
  });
});
