import { describe, expect, it } from 'vitest';
import { createRng } from '../random';
import { OMNIGLOT_PIXELS } from './pack';
import { PEN_RADIUS, parseStrokes, randomJitter, renderDrawing } from './strokes';

const FILE = ['START', '10,-20,0', '30,-20,40', 'BREAK', '52.5,-52.5,0', 'BREAK', 'END', ''].join('\n');

describe('pen strokes', () => {
  it('parses the official format: strokes between START, BREAK and END, rows flipped, pixel indices to centres', () => {
    const d = parseStrokes(FILE);
    expect(d.map((s) => Array.from(s))).toEqual([
      [10.5, 20.5, 30.5, 20.5],
      [53, 53],
    ]);
  });

  it('names the file and the line it cannot read', () => {
    expect(() => parseStrokes('10,20,0\n', 'a.txt')).toThrow(/a\.txt: line 1: expected START/);
    expect(() => parseStrokes('START\n1,x,0\n', 'b.txt')).toThrow(/b\.txt: line 2: expected "x,y,time"/);
    expect(() => parseStrokes('', 'c.txt')).toThrow(/c\.txt: no START line/);
  });

  it('renders a segment as a band of ink as wide as the pen, each pixel its covered share', () => {
    // A horizontal stroke along row 52.5 of the 105 plane (the 28x28 image's row 14.0 edge region).
    const out = renderDrawing(parseStrokes('START\n20,-52,0\n85,-52,1\nEND'), new Uint8Array(OMNIGLOT_PIXELS));
    const ink = out.reduce((s, v) => s + v, 0) / 255;
    // Area of the pen's path in 28-pixel units: length x width plus the round caps (within the 4x4 sampling's rounding: a band is whole samples wide).
    const r = (PEN_RADIUS * 28) / 105;
    const expected = (65 * 28 * 2 * r) / 105 + Math.PI * r * r;
    expect(ink).toBeGreaterThan(expected * 0.8);
    expect(ink).toBeLessThan(expected * 1.2);
    // Nothing outside the band: rows more than the radius away are paper.
    for (let y = 0; y < 28; y++) {
      const row = out.slice(y * 28, y * 28 + 28).reduce((s, v) => s + v, 0);
      if (Math.abs(y + 0.5 - (52.5 * 28) / 105) > r + 1) expect(row).toBe(0);
    }
  });

  it('draws again differently under jitter, reproducibly from the seed, with ink of the same order', () => {
    const d = parseStrokes(['START', '20,-20,0', '80,-80,1', 'BREAK', '20,-80,0', '80,-20,1', 'END'].join('\n'));
    const plain = renderDrawing(d, new Uint8Array(OMNIGLOT_PIXELS)).slice();
    const once = (seed: string) => {
      const rng = createRng(seed);
      return renderDrawing(d, new Uint8Array(OMNIGLOT_PIXELS), rng, randomJitter(rng, 1)).slice();
    };
    const a = once('a');
    expect(Array.from(once('a'))).toEqual(Array.from(a));
    const diff = a.reduce((s, v, i) => s + Math.abs(v - plain[i]), 0) / 255;
    const inkOf = (x: Uint8Array) => x.reduce((s, v) => s + v, 0) / 255;
    expect(diff).toBeGreaterThan(3);
    expect(inkOf(a) / inkOf(plain)).toBeGreaterThan(0.4);
    expect(inkOf(a) / inkOf(plain)).toBeLessThan(2.5);
    // Strength 0 is the drawing as it is.
    const rng = createRng('z');
    expect(Array.from(renderDrawing(d, new Uint8Array(OMNIGLOT_PIXELS), rng, randomJitter(rng, 0)))).toEqual(Array.from(plain));
  });
});
