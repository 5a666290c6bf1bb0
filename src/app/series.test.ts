import { describe, expect, it } from 'vitest';
import { appendPoints, emptySeries, visiblePoints } from './series';

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
    for (let i = 1; i <= 40; i++) s = appendPoints(s, [{ iteration: i, pre: 1, post: 1, basePre: 1, basePost: 1, methods: { maml2: [i, 2], reptile: [0, 4] } }]);
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
