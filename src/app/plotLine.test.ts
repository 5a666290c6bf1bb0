import { describe, expect, it } from 'vitest';
import { pixelLine, plotLine } from './plotLine';

describe('plot lines', () => {
  it('leave out points that are not finite numbers: the line breaks, no NaN reaches the path', () => {
    const d =
      plotLine<number>(
        (_, i) => 10 * i,
        (v) => v,
      )([1, NaN, 3, Infinity, -Infinity, 6, 7]) ?? '';
    expect(d).not.toMatch(/NaN|Infinity/);
    expect(d).toBe('M0,1ZM20,3ZM50,6L60,7');
    expect(
      pixelLine([
        [0, 0],
        [1, NaN],
        [2, 2],
        [3, 3],
      ]),
    ).toBe('M0,0ZM2,2L3,3');
    expect(pixelLine([[NaN, NaN]]) ?? '').toBe('');
  });
});
