import { describe, expect, it } from 'vitest';
import { BlankImageError, INK_EXTENT, MIN_INK, preprocessRgba } from './preprocess';

/** An RGBA image of a filled ring (a known shape) with given size, place and colours. */
function ring(W: number, H: number, cx: number, cy: number, r: number, ink: number[], paper: number[], alpha = 255): Uint8ClampedArray {
  const img = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      const on = d < r && d > r * 0.6;
      const c = on ? ink : paper;
      img.set([c[0], c[1], c[2], on ? 255 : alpha], 4 * (y * W + x));
    }
  return img;
}

const dist = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length);

describe('preprocessing of people’s own images', () => {
  const reference = preprocessRgba(ring(280, 280, 140, 140, 100, [0, 0, 0], [255, 255, 255]), 280, 280).pixels;

  it('gives nearly the same 28x28 image whatever the size, position and polarity', () => {
    const variants = [
      ring(600, 400, 150, 250, 60, [20, 20, 30], [250, 245, 235]), // small, off-centre, on cream paper
      ring(90, 120, 50, 60, 40, [255, 255, 255], [0, 0, 0]), // light on dark, small image
      ring(1000, 1000, 700, 300, 250, [40, 40, 200], [255, 255, 255]), // blue ink
      ring(300, 300, 150, 150, 110, [0, 0, 0], [0, 0, 0], 0), // black ink on transparent
    ];
    for (const [i, v] of variants.entries()) {
      const W = [600, 90, 1000, 300][i];
      const H = [400, 120, 1000, 300][i];
      const p = preprocessRgba(v, W, H);
      expect(dist(p.pixels, reference)).toBeLessThan(0.08);
    }
    expect(preprocessRgba(variants[1], 90, 120).polarity).toBe('light-on-dark');
  });

  it('has ink = 1 on paper = 0, centred, with the extent of the training drawings', () => {
    expect(Math.max(...reference)).toBeGreaterThan(0.9);
    expect(reference[0]).toBe(0);
    let x0 = 28,
      x1 = -1;
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++)
        if (reference[y * 28 + x] > 0.3) {
          x0 = Math.min(x0, x);
          x1 = Math.max(x1, x);
        }
    expect(x1 - x0 + 1).toBeGreaterThanOrEqual(INK_EXTENT - 2);
    expect(x1 - x0 + 1).toBeLessThanOrEqual(INK_EXTENT + 1);
    expect(Math.abs((x0 + x1) / 2 - 13.5)).toBeLessThanOrEqual(1);
  });

  it('tells a blank image apart', () => {
    const blank = new Uint8ClampedArray(50 * 50 * 4).fill(255);
    expect(() => preprocessRgba(blank, 50, 50)).toThrow(BlankImageError);
    const faint = ring(100, 100, 50, 50, 30, [250, 250, 250], [255, 255, 255]);
    expect(() => preprocessRgba(faint, 100, 100)).toThrow(/no ink/);
  });

  it('refuses an image whose character shrinks to too little ink, and keeps a thin but visible one', () => {
    // A 3 px line across a 7990x10 image: at 28x28 almost nothing is left of it.
    const W = 7990,
      H = 10;
    const line = new Uint8ClampedArray(W * H * 4).fill(255);
    for (let y = 4; y < 7; y++) for (let x = 10; x < W - 10; x++) line.set([0, 0, 0, 255], 4 * (y * W + x));
    expect(() => preprocessRgba(line, W, H)).toThrow(BlankImageError);
    expect(() => preprocessRgba(line, W, H)).toThrow(
      /^too little ink to classify: at 28×28 the character holds 0\.\d pixels of ink \(at least 4\)/,
    );
    // A thin stroke drawn at a usual size is kept.
    const small = new Uint8ClampedArray(100 * 100 * 4).fill(255);
    for (let y = 20; y < 80; y++) small.set([0, 0, 0, 255], 4 * (y * 100 + 50));
    expect(preprocessRgba(small, 100, 100).pixels.reduce((s, v) => s + v, 0)).toBeGreaterThan(MIN_INK);
  });
});
