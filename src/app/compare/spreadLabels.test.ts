import { describe, expect, it } from 'vitest';
import { spreadLabels } from './CompareView';

describe('end labels', () => {
  it('keep their place when apart and are pushed at least a gap apart when close', () => {
    expect(spreadLabels([10, 50, 90], 15, 0, 200)).toEqual([10, 50, 90]);
    const ys = spreadLabels([100, 101, 99, NaN], 15, 0, 200);
    const sorted = ys.slice(0, 3).sort((a, b) => a - b);
    expect(sorted[1] - sorted[0]).toBeGreaterThanOrEqual(15);
    expect(sorted[2] - sorted[1]).toBeGreaterThanOrEqual(15);
    expect(ys[3]).toBeNaN();
    expect(Math.max(...spreadLabels([195, 196, 197], 15, 0, 200))).toBeLessThanOrEqual(200);
  });
});
