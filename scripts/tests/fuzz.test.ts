/**
 * Seeded fuzzing of every reader of files people bring: the image decoder of the command line
 * (PNG through pngjs, JPEG through the page's own jpeg-js path), the format and animation
 * sniffers and the PNG/EXIF header readers the page's worker uses too, the preprocessing, and
 * the archive reader. Mutations of real files (PNGs of every kind, the official 1-bit drawings,
 * cjpeg JPEGs, GIFs, zips): truncations, bit flips, huge declared sizes, wrong chunk lengths,
 * inserted and deleted bytes. Each file must give an image or a named error, quickly.
 */
import { describe, expect, it } from 'vitest';
import { decodeImage, ImageInputError } from '../lib/decodeImage';
import { gifFrames, isAnimated, jpegOrientation, pngSize, sniffImage } from '../../src/classify/imageFile';
import { groupByClass, readZip } from '../../src/classify/supportArchive';
import { BlankImageError, preprocessRgba } from '../../src/maml/omniglot/preprocess';
import { createRng } from '../../src/maml/random';
import { mutate, seeds } from '../../e2e/fixtures/mutations';

/** The slowest any one file may take (a decode of the largest image the limits allow takes well under it). */
const TIME_BOUND_MS = 3000;

/** Reads one file as every path does; returns what happened, or throws what was not a named error. */
function readAll(name: string, bytes: Uint8Array): 'image' | 'refused' {
  // The header readers never throw: they answer or say they cannot.
  sniffImage(bytes);
  isAnimated(bytes);
  gifFrames(bytes);
  pngSize(bytes);
  jpegOrientation(bytes);
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    try {
      const { entries, problems } = readZip(name, bytes);
      groupByClass(entries, problems);
      for (const e of entries) readAll(e.path, e.bytes);
      return 'image';
    } catch (e) {
      expect((e as Error).message.startsWith(`${name}: `), (e as Error).message).toBe(true);
      return 'refused';
    }
  }
  try {
    const img = decodeImage(name, bytes);
    expect(img.data.length).toBe(img.width * img.height * 4);
    try {
      const p = preprocessRgba(img.data, img.width, img.height);
      expect(p.pixels.every(Number.isFinite)).toBe(true);
    } catch (e) {
      if (!(e instanceof BlankImageError)) throw e;
    }
    return 'image';
  } catch (e) {
    if (!(e instanceof ImageInputError)) throw e;
    expect(e.message.startsWith(`${name}: `), e.message).toBe(true);
    return 'refused';
  }
}

describe('fuzzing the readers of files people bring', () => {
  it('2,400 mutated PNGs, JPEGs, GIFs and zips: each an image or a named error, within the time bound', () => {
    const rng = createRng('fuzz/files');
    const base = seeds();
    expect(base.length).toBeGreaterThan(25);
    // The unmutated files read as images (the GIFs are refused by name: the command line reads PNG and JPEG).
    for (const s of base) expect(readAll(s.name, s.bytes), s.name).toBe(s.name.endsWith('.gif') ? 'refused' : 'image');
    const outcome = { image: 0, refused: 0 };
    let slowest = { ms: 0, what: '' };
    for (let i = 0; i < 2400; i++) {
      const s = base[i % base.length];
      const m = mutate(rng, s.bytes);
      const t0 = performance.now();
      let r: 'image' | 'refused';
      try {
        r = readAll(s.name, m.bytes);
      } catch (e) {
        throw new Error(`${s.name}, ${m.how}: ${(e as Error).stack}`, { cause: e });
      }
      outcome[r]++;
      const ms = performance.now() - t0;
      if (ms > slowest.ms) slowest = { ms, what: `${s.name}, ${m.how}` };
    }
    expect(slowest.ms, slowest.what).toBeLessThan(TIME_BOUND_MS);
    // Both kinds of answer occur: the mutations reach past the first check.
    expect(outcome.image).toBeGreaterThan(100);
    expect(outcome.refused).toBeGreaterThan(500);
  });
});
