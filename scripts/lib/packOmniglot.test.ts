import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { zipSync } from 'fflate';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { areaResize } from '../../src/maml/omniglot/areaResize';
import { OMNIGLOT_PIXELS, TEST_ALPHABETS, openOmniglotPack } from '../../src/maml/omniglot/pack';
import { OMNIGLOT_SOURCES, packDrawing, packOmniglot, sha256, verifyChecksum } from './packOmniglot';

const SHARED = process.env.OMNIGLOT_DIR ?? resolve(import.meta.dirname, '..', '..', '..', 'shared', 'omniglot');

/** A 105x105 1-bit PNG, white paper with a black square stroke at (x0..x1, y0..y1). */
function drawing(x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const data = new Uint8Array(105 * 105).fill(255);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * 105 + x] = 0;
  return encode({ width: 105, height: 105, data, channels: 1, depth: 8 });
}

describe('area-averaging resize', () => {
  it('keeps the mean and averages whole and partial cells', () => {
    const src = Float32Array.from({ length: 105 * 105 }, (_, i) => (i % 7) / 6);
    const out = areaResize(src, 105, 105, 28, 28);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(out)).toBeCloseTo(mean(src), 4);
    const ones = areaResize(new Float32Array(16).fill(1), 4, 4, 3, 3);
    ones.forEach((v) => expect(v).toBeCloseTo(1, 6));
    // 4 -> 2 is plain 2x2 averaging.
    expect(Array.from(areaResize(Float32Array.of(0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1), 4, 4, 2, 2))).toEqual([0.5, 0, 1, 1]);
  });
});

describe('packing Omniglot', () => {
  it('turns a drawing into 28x28 bytes with ink = 255 where the stroke was', () => {
    const px = packDrawing(drawing(30, 30, 75, 75), 'test.png');
    expect(px.length).toBe(OMNIGLOT_PIXELS);
    expect(px[14 * 28 + 14]).toBe(255); // inside the square
    expect(px[0]).toBe(0); // paper
    expect(Math.max(...px)).toBe(255);
    expect(Math.min(...px)).toBe(0);
  });

  it('packs a small zip: alphabets, characters, drawers, split, and deduplicates an alphabet seen twice', () => {
    const png = drawing(10, 10, 40, 40);
    const zip = (root: string, alphabets: string[]) =>
      zipSync(
        Object.fromEntries(
          alphabets.flatMap((a) => [1, 2].flatMap((c) => [1, 2, 3].map((d) => [`${root}/${a}/character0${c}/09${c}0_0${d}.png`, png]))),
        ),
      );
    const a = zip('images_background_small1', ['Latin', 'Tagalog']);
    const b = zip('images_background_small2', ['Latin', 'Korean']);
    const { index, pixels } = packOmniglot([
      { file: 'a.zip', bytes: a, sha256: sha256(a) },
      { file: 'b.zip', bytes: b, sha256: sha256(b) },
    ]);
    expect(index.alphabets.map((x) => x.name)).toEqual(['Korean', 'Latin', 'Tagalog']);
    expect(index.images).toBe(3 * 2 * 3);
    expect(pixels.length).toBe(index.images * OMNIGLOT_PIXELS);
    expect(index.alphabets.find((x) => x.name === 'Tagalog')!.split).toBe('test');
    expect(index.alphabets[0].characters[0].drawers).toEqual([1, 2, 3]);
    const ds = openOmniglotPack(index, pixels);
    expect(ds.classes.test).toHaveLength(2);
    expect(ds.classes.train).toHaveLength(4);
  });

  it('gives a clear error for a corrupt zip and for a wrong checksum', () => {
    const bad = new Uint8Array(200).fill(7);
    expect(() => packOmniglot([{ file: 'broken.zip', bytes: bad, sha256: sha256(bad) }])).toThrow(
      /broken\.zip: not a readable zip archive/,
    );
    expect(() => verifyChecksum('x.zip', bad, OMNIGLOT_SOURCES[0].sha256)).toThrow(/x\.zip: SHA-256 [0-9a-f]{64} does not match/);
    const truncated = zipSync({ 'r/Latin/character01/0101_01.png': drawing(1, 1, 5, 5) }).slice(0, 60);
    expect(() => packOmniglot([{ file: 'cut.zip', bytes: truncated, sha256: '' }])).toThrow(/cut\.zip/);
    const notPng = zipSync({ 'r/Latin/character01/0101_01.png': new Uint8Array([1, 2, 3]) });
    expect(() => packOmniglot([{ file: 'p.zip', bytes: notPng, sha256: '' }])).toThrow(/0101_01\.png: not a readable PNG/);
  });

  it('packs the official zips: 8 alphabets, 242 characters, 20 drawings each, checksums verified', () => {
    const zips = OMNIGLOT_SOURCES.map((s) => {
      const bytes = new Uint8Array(readFileSync(resolve(SHARED, s.file)));
      verifyChecksum(s.file, bytes, s.sha256);
      return { file: s.file, bytes, sha256: s.sha256 };
    });
    const { index, pixels } = packOmniglot(zips);
    expect(index.alphabets).toHaveLength(8);
    const chars = index.alphabets.flatMap((a) => a.characters);
    expect(chars).toHaveLength(242);
    expect(chars.every((c) => c.count === 20)).toBe(true);
    expect(index.images).toBe(4840);
    expect(
      index.alphabets
        .filter((a) => a.split === 'test')
        .map((a) => a.name)
        .sort(),
    ).toEqual([...TEST_ALPHABETS].sort());
    // Ink is a minority of each image, and every image has some.
    let inkTotal = 0;
    for (let i = 0; i < index.images; i++) {
      let ink = 0;
      for (let j = 0; j < OMNIGLOT_PIXELS; j++) ink += pixels[i * OMNIGLOT_PIXELS + j] / 255;
      expect(ink).toBeGreaterThan(5);
      inkTotal += ink;
    }
    const meanInk = inkTotal / index.images / OMNIGLOT_PIXELS;
    expect(meanInk).toBeGreaterThan(0.03);
    expect(meanInk).toBeLessThan(0.4);
  });
});
