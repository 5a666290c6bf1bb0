import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { decode as fastPngDecode } from 'fast-png';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { PNG_KINDS, baselineJpeg, drawing, drawingRgba, encodePng, withOrientation } from '../../e2e/fixtures/imageKinds';
import { SHARED_OMNIGLOT as SHARED } from '../../e2e/fixtures/officialDrawings';
import { orient } from '../../src/classify/imageFile';
import { preprocessRgba } from '../../src/maml/omniglot/preprocess';
import { OMNIGLOT_PIXELS } from '../../src/maml/omniglot/pack';
import { ImageInputError, decodeImage } from './decodeImage';
import { packDrawing } from './packOmniglot';

const W = 105;
const H = 97;
const INK = drawing(W, H);
const JPEGS = resolve(import.meta.dirname, '..', '..', 'e2e', 'fixtures', 'jpeg');

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('the one image decoder of the command line', () => {
  for (const kind of PNG_KINDS) {
    it(`reads a ${kind.name} PNG to the exact RGBA of its samples`, () => {
      const made = encodePng(kind, INK, W, H);
      const img = decodeImage(`${kind.name}.png`, made.bytes);
      expect([img.width, img.height]).toEqual([W, H]);
      expect(maxDiff(img.data, made.rgba)).toBe(0);
      // And the network sees the character: after preprocessing it is the drawing's, within the kind's quantisation.
      const reference = preprocessRgba(drawingRgba(INK), W, H).pixels;
      expect(maxDiff(preprocessRgba(img.data, W, H).pixels, reference)).toBeLessThan(
        kind.depth === 1 ? 0.5 : kind.depth === 2 ? 0.2 : 0.08,
      );
    });
  }

  for (const file of readdirSync(JPEGS).filter((f) => f.endsWith('.jpg'))) {
    it(`reads the ${file} JPEG (libjpeg-turbo's cjpeg) close to the drawing`, () => {
      const img = decodeImage(file, new Uint8Array(readFileSync(resolve(JPEGS, file))));
      expect([img.width, img.height]).toEqual([W, H]);
      const reference = preprocessRgba(drawingRgba(INK), W, H).pixels;
      expect(maxDiff(preprocessRgba(img.data, W, H).pixels, reference)).toBeLessThan(0.08);
    });
  }

  it('reads a baseline JPEG and turns it as its EXIF orientation says (all eight)', () => {
    const plain = decodeImage('plain.jpg', baselineJpeg(W, H));
    for (let o = 1; o <= 8; o++) {
      const img = decodeImage(`o${o}.jpg`, withOrientation(baselineJpeg(W, H), o));
      const expected = orient(plain, o);
      expect([img.width, img.height]).toEqual(o >= 5 ? [H, W] : [W, H]);
      expect(maxDiff(img.data, expected.data)).toBe(0);
    }
    // Orientation 6 is a quarter turn clockwise: the stored top-left corner is shown top-right.
    const turned = orient({ width: 2, height: 1, data: new Uint8ClampedArray([1, 1, 1, 1, 2, 2, 2, 2]) }, 6);
    expect([turned.width, turned.height, turned.data[0], turned.data[4]]).toEqual([1, 2, 1, 2]);
  });

  it('names the file and the reason for what it cannot read, never returning noise', () => {
    const good = encodePng(PNG_KINDS[0], INK, W, H).bytes;
    expect(() => decodeImage('cut.png', good.subarray(0, good.length - 30))).toThrow(ImageInputError);
    expect(() => decodeImage('cut.png', good.subarray(0, good.length - 30))).toThrow(/^cut\.png: the PNG data is corrupt or truncated/);
    expect(() => decodeImage('head.png', good.subarray(0, 20))).toThrow(/^head\.png: the PNG data is corrupt or truncated/);
    const jpg = baselineJpeg(W, H);
    expect(() => decodeImage('cut.jpg', jpg.subarray(0, 200))).toThrow(/^cut\.jpg: the JPEG data is corrupt or truncated/);
    expect(() => decodeImage('notes.png', new TextEncoder().encode('hello'))).toThrow(/^notes\.png: not a PNG or JPEG image$/);
    expect(() => decodeImage('a.gif', new TextEncoder().encode('GIF89a......'))).toThrow(/not a PNG or JPEG image \(it is GIF\)/);
    // A header that declares a huge image is refused before anything is inflated.
    const huge = Buffer.from(good);
    huge.writeUInt32BE(100_000, 16);
    expect(() => decodeImage('huge.png', huge)).toThrow(/^huge\.png: 100000×97 px is over the 8000 px limit/);
  });
});

describe('the official Omniglot drawings (105x105 1-bit PNGs)', () => {
  const zip = unzipSync(new Uint8Array(readFileSync(resolve(SHARED, 'images_background_small1.zip'))));
  const entries = Object.entries(zip).filter(([p]) => p.endsWith('.png'));

  it('decode to the bits they hold: black strokes on white, as an independent bit reader reads them', () => {
    expect(entries.length).toBeGreaterThan(1000);
    for (const [path, bytes] of entries.filter((_, i) => i % 97 === 0)) {
      const img = decodeImage(path, bytes);
      const ref = fastPngDecode(bytes);
      expect([ref.depth, ref.channels, img.width, img.height]).toEqual([1, 1, 105, 105]);
      const rowBytes = Math.ceil(105 / 8);
      let ink = 0;
      for (let y = 0; y < 105; y++)
        for (let x = 0; x < 105; x++) {
          const bit = (ref.data[y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1;
          const i = y * 105 + x;
          expect(img.data[4 * i], `${path} at ${x},${y}`).toBe(bit * 255);
          expect(img.data[4 * i + 3]).toBe(255);
          ink += 1 - bit;
        }
      // A character's strokes cover a few percent of the square, never noise's half.
      expect(ink / 105 ** 2).toBeGreaterThan(0.005);
      expect(ink / 105 ** 2).toBeLessThan(0.2);
    }
  });

  it('the command line sees what the pack holds: the pack bytes are the decoded drawing, area-averaged', () => {
    const pack = new Uint8Array(readFileSync(resolve(import.meta.dirname, '..', '..', 'public', 'data', 'omniglot.bin')));
    const index = JSON.parse(readFileSync(resolve(import.meta.dirname, '..', '..', 'public', 'data', 'omniglot.json'), 'utf8'));
    // The first drawing of the first character of the first alphabet of this zip that the pack took from it.
    const alphabet = index.alphabets.find((a: { name: string }) => entries.some(([p]) => p.split('/')[1] === a.name));
    const ch = alphabet.characters[0];
    const [path, bytes] = entries.find(
      ([p]) =>
        p.split('/')[1] === alphabet.name && p.split('/')[2] === ch.name && p.endsWith(`_${String(ch.drawers[0]).padStart(2, '0')}.png`),
    )!;
    const packed = pack.subarray(ch.first * OMNIGLOT_PIXELS, (ch.first + 1) * OMNIGLOT_PIXELS);
    expect(packDrawing(bytes, path)).toEqual(packed);
    // And preprocessing the command line's decoding centres the same character: close to the pack's own preprocessed form.
    const cli = preprocessRgba(decodeImage(path, bytes).data, 105, 105).pixels;
    const fromPack = preprocessRgba(Uint8ClampedArray.from([...packed].flatMap((v) => [255 - v, 255 - v, 255 - v, 255])), 28, 28).pixels;
    let dot = 0,
      na = 0,
      nb = 0;
    for (let i = 0; i < cli.length; i++) {
      dot += cli[i] * fromPack[i];
      na += cli[i] ** 2;
      nb += fromPack[i] ** 2;
    }
    expect(dot / Math.sqrt(na * nb)).toBeGreaterThan(0.8);
  });
});
