import { describe, expect, it } from 'vitest';
import { appendPoints } from './series';

describe('appendPoints', () => {
  it('stays within its limit and keeps the whole range of iterations', () => {
    let s: ReturnType<typeof appendPoints> = [];
    for (let i = 1; i <= 10_000; i++) s = appendPoints(s, [{ iteration: i, pre: i, post: 1, basePre: 2, basePost: 2 }], 500);
    expect(s.length).toBeLessThanOrEqual(500);
    expect(s.length).toBeGreaterThan(240);
    expect(s[s.length - 1].iteration).toBe(10_000);
    expect(s[0].iteration).toBeLessThan(100);
    // Averages preserve the mean of the original values.
    const mean = s.reduce((a, p) => a + p.post, 0) / s.length;
    expect(mean).toBeCloseTo(1, 6);
  });
});
