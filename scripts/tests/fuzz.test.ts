/**
 * Seeded fuzzing of every reader of files people bring: the image decoder of the command line
 * (PNG through pngjs, JPEG through the page's own jpeg-js path), the format and animation
 * sniffers and the PNG/EXIF header readers the page's worker uses too, the preprocessing, and
 * the archive reader. Mutations of real files (PNGs of every kind, the official 1-bit drawings,
 * cjpeg JPEGs, GIFs, zips): truncations, bit flips, huge declared sizes, wrong chunk lengths,
 * inserted and deleted bytes. Each file must give an image or a named error, quickly.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeImage, ImageInputError } from '../lib/decodeImage';
import { gifFrames, isAnimated, jpegOrientation, pngSize, sniffImage } from '../../src/classify/imageFile';
import { groupByClass, readZip } from '../../src/classify/supportArchive';
import { BlankImageError, preprocessRgba } from '../../src/maml/omniglot/preprocess';
import { createRng, type Rng } from '../../src/maml/random';
import { drawing, encodePng, PNG_KINDS } from '../../e2e/fixtures/imageKinds';
import { animatedGif } from '../../e2e/fixtures/images';
import { SHARED_OMNIGLOT } from '../../e2e/fixtures/officialDrawings';

const JPEG_DIR = resolve(import.meta.dirname, '..', '..', 'e2e', 'fixtures', 'jpeg');
/** The slowest any one file may take (a decode of the largest image the limits allow takes well under it). */
const TIME_BOUND_MS = 3000;

function officialPngs(n: number): Uint8Array[] {
  const zip = join(SHARED_OMNIGLOT, 'images_background_small1.zip');
  if (!existsSync(zip)) return [];
  let k = 0;
  const files = unzipSync(readFileSync(zip), { filter: (f) => f.name.endsWith('.png') && k++ < n });
  return Object.values(files);
}

/** A still GIF: the animated fixture with its second frame dropped. */
function stillGif(): Uint8Array {
  const a = animatedGif();
  return Uint8Array.from([...a.subarray(0, 19 + 23), 0x3b]);
}

function seeds(): { name: string; bytes: Uint8Array }[] {
  const ink = drawing(40, 36);
  const pngs = PNG_KINDS.map((k) => ({ name: `${k.name}.png`, bytes: new Uint8Array(encodePng(k, ink, 40, 36).bytes) }));
  const jpegs = readdirSync(JPEG_DIR)
    .filter((f) => f.endsWith('.jpg'))
    .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(JPEG_DIR, f))) }));
  const official = officialPngs(4).map((bytes, i) => ({ name: `official-${i}.png`, bytes }));
  const gifs = [
    { name: 'animated.gif', bytes: new Uint8Array(animatedGif()) },
    { name: 'still.gif', bytes: stillGif() },
  ];
  const zips = [
    {
      name: 'set.zip',
      bytes: zipSync({ 'a/1.png': pngs[3].bytes, 'b/1.jpg': jpegs[0].bytes, 'query/q.png': official[0]?.bytes ?? pngs[5].bytes }),
    },
    { name: 'stored.zip', bytes: zipSync({ 'x/1.png': pngs[1].bytes, 'y/2.png': pngs[2].bytes }, { level: 0 }) },
  ];
  return [...pngs, ...jpegs, ...official, ...gifs, ...zips];
}

const int = (rng: Rng, n: number) => Math.floor(rng.next() * n);

/** Offsets of a PNG's chunk length fields (after the 8-byte signature). */
function pngChunks(b: Uint8Array): number[] {
  const out: number[] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let at = 8; at + 8 <= b.length;) {
    out.push(at);
    at += 12 + dv.getUint32(at);
  }
  return out;
}

function mutate(rng: Rng, src: Uint8Array): { how: string; bytes: Uint8Array } {
  const b = src.slice();
  const dv = new DataView(b.buffer);
  const kind = int(rng, 6);
  if (kind === 0) {
    const n = int(rng, b.length);
    return { how: `truncated to ${n}`, bytes: b.subarray(0, n) };
  }
  if (kind === 1) {
    const flips = 1 + int(rng, 8);
    for (let i = 0; i < flips; i++) b[int(rng, b.length)] ^= 1 << int(rng, 8);
    return { how: `${flips} bit flips`, bytes: b };
  }
  if (kind === 2) {
    // Huge declared sizes: a PNG's width and height, a JPEG frame's, a zip's entry sizes.
    const big = [0xffffffff, 0x7fffffff, 8000, 8001, 65535, 100_000, 7999][int(rng, 7)];
    if (sniffImage(b) === 'png' && b.length > 24) {
      dv.setUint32(16 + 4 * int(rng, 2), big);
    } else if (b[0] === 0x50 && b[1] === 0x4b) {
      for (let i = 0; i + 30 < b.length; i++)
        if (dv.getUint32(i, true) === 0x04034b50 || dv.getUint32(i, true) === 0x02014b50) dv.setUint32(i + 22, big, true);
    } else {
      for (let i = 0; i + 9 < b.length; i++)
        if (b[i] === 0xff && (b[i + 1] === 0xc0 || b[i + 1] === 0xc2)) {
          dv.setUint16(i + 5 + 2 * int(rng, 2), big & 0xffff);
          break;
        }
    }
    return { how: `declared size ${big}`, bytes: b };
  }
  if (kind === 3 && sniffImage(b) === 'png') {
    const chunks = pngChunks(b);
    if (chunks.length) {
      const at = chunks[int(rng, chunks.length)];
      const len = [0, 1, 0xffffffff, 0x7ffffff0, dv.getUint32(at) + 1, dv.getUint32(at) - 1][int(rng, 6)];
      dv.setUint32(at, len >>> 0);
      return { how: `chunk length ${len} at ${at}`, bytes: b };
    }
  }
  if (kind === 4) {
    const at = int(rng, b.length);
    const ins = Uint8Array.from({ length: 1 + int(rng, 64) }, () => int(rng, 256));
    return { how: `${ins.length} bytes inserted at ${at}`, bytes: Uint8Array.from([...b.subarray(0, at), ...ins, ...b.subarray(at)]) };
  }
  const at = int(rng, b.length);
  const n = 1 + int(rng, 64);
  return { how: `${n} bytes deleted at ${at}`, bytes: Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + n)]) };
}

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
