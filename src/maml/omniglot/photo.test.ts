/**
 * Photographed paper (issue 16): photo-like images made from real held-out Omniglot drawings
 * (photoLike.ts: small and off-centre in a 400x300 frame, tilted, uneven light, ruled paper,
 * noise, then JPEG through jpeg-js) must preprocess to nearly what the clean drawing gives;
 * clean images must preprocess bit for bit as before; and the shipped model must classify
 * the photographed queries about as well as the clean ones.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { unzipSync } from 'fflate';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { SHARED_OMNIGLOT } from '../../../e2e/fixtures/officialDrawings';
import { decodeCheckpoint } from '../checkpoint';
import { createRng } from '../random';
import { ConvMetaLearner } from './convLearner';
import { defaultGemm } from '../networks/gemmSimd';
import { innerFor, type OmniglotConfig } from './config';
import { classifyFewShot } from './fewShotClassify';
import { TEST_ALPHABETS } from './pack';
import { sampleDistinct } from './tasks';
import { BlankImageError, preprocessRgba } from './preprocess';
import { PHOTO_VARIANTS, drawPadLike, inkOfRgba, photoLike, randomStrokes, type PhotoOptions, type RgbaImage } from './photoLike';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

interface Drawing extends RgbaImage {
  name: string;
}

/** The official 105x105 1-bit drawings of a zip, sorted by path: those `filter` takes, every `every`-th of them. */
function officialDrawings(zip: string, filter: (path: string) => boolean = () => true, every = 1): Drawing[] {
  const files = unzipSync(new Uint8Array(readFileSync(resolve(SHARED_OMNIGLOT, zip))), {
    filter: (f) => f.name.endsWith('.png') && filter(f.name),
  });
  return Object.keys(files)
    .sort()
    .filter((_, i) => i % every === 0)
    .map((name) => {
      // As the command line's decoder reads them: pngjs, every PNG to 8-bit RGBA.
      const png = PNG.sync.read(Buffer.from(files[name]));
      return { name, width: png.width, height: png.height, data: new Uint8ClampedArray(png.data) };
    });
}

const heldOut = officialDrawings('images_background_small2.zip', (p) => TEST_ALPHABETS.some((a) => p.includes(`/${a}/`)));

/** A photo-like image of a drawing, saved as a JPEG of the given quality and read back (jpeg-js, the page's decoder too). */
function photo(d: Drawing, seed: string, options: PhotoOptions, quality = 80) {
  const p = photoLike(inkOfRgba(d.data, d.width, d.height), createRng(seed), options);
  const bytes = jpeg.encode({ width: p.width, height: p.height, data: Buffer.from(p.data.buffer) }, quality).data;
  return { ...p, data: new Uint8ClampedArray(jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true }).data) };
}

/** Share of ink pixels (over 0.3) of each image within one pixel of the other's ink: 1 when they match up to a pixel's shift. */
function overlap(a: Float32Array, b: Float32Array): number {
  const near = (m: Float32Array, x: number, y: number) => {
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const u = x + dx;
        const v = y + dy;
        if (u >= 0 && v >= 0 && u < 28 && v < 28 && m[v * 28 + u] > 0.3) return true;
      }
    return false;
  };
  let hits = 0;
  let total = 0;
  for (const [m, other] of [
    [a, b],
    [b, a],
  ])
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++)
        if (m[y * 28 + x] > 0.3) {
          total++;
          hits += Number(near(other, x, y));
        }
  return hits / total;
}

/** The ink's (over 0.3) bounding box in a 28x28 input. */
function box28(p: Float32Array) {
  let x0 = 28,
    y0 = 28,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++)
      if (p[y * 28 + x] > 0.3) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  return { width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/**
 * The ink's box as preprocessing found it before issue 16: ink is what is darker than the
 * border's median by a quarter of the strongest ink or more (what the photos break).
 */
function globalThresholdBox({ data, width, height }: RgbaImage) {
  const gray = Float32Array.from(
    { length: width * height },
    (_, i) => 0.299 * data[4 * i] + 0.587 * data[4 * i + 1] + 0.114 * data[4 * i + 2],
  );
  const border: number[] = [];
  for (let x = 0; x < width; x++) border.push(gray[x], gray[(height - 1) * width + x]);
  for (let y = 0; y < height; y++) border.push(gray[y * width], gray[y * width + width - 1]);
  const paper = border.sort((a, b) => a - b)[Math.floor(border.length / 2)];
  const strongest = gray.reduce((m, v) => Math.max(m, paper - v), 0);
  let x0 = width,
    y0 = height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (paper - gray[y * width + x] >= 0.25 * strongest) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  return { width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

const sha256 = (chunks: Float32Array[]) => {
  const h = createHash('sha256');
  for (const c of chunks) h.update(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
  return h.digest('hex');
};

describe('photographed characters (issue 16)', () => {
  const drawings = Array.from({ length: 12 }, (_, k) => heldOut[(k * 37) % heldOut.length]);

  for (const [what, options] of [
    ['light rising from gray 120 to 230 across a 400x300 JPEG', { variant: 'gradient' }],
    ['dark corners', { variant: 'corners' }],
    ['a 40 px dark stripe along the bottom', { variant: 'stripe', stripeEdge: 'bottom' }],
    ['ruled paper', { variant: 'lined' }],
    ['the mild 185 to 235 gradient', { variant: 'mild' }],
  ] as [string, PhotoOptions][]) {
    it(`crops to the character and gives the clean drawing's input: ${what}`, () => {
      let worst = 1;
      let broken = 0;
      for (const [k, d] of drawings.entries()) {
        const clean = preprocessRgba(d.data, d.width, d.height).pixels;
        const p = photo(d, `issue16/${options.variant}/${k}`, options);
        const got = preprocessRgba(p.data, p.width, p.height);
        // Cropped by the threshold of old, the box would hold a bar, blobs, the stripe or the lines too.
        const old = globalThresholdBox(p);
        broken += Number(old.width * old.height > 2 * p.box.width * p.box.height);
        // The crop is the character's ink in the photo, within a few pixels (no bar, blob or stripe in it).
        expect(Math.abs(got.box.x - p.box.x), d.name).toBeLessThanOrEqual(4);
        expect(Math.abs(got.box.y - p.box.y), d.name).toBeLessThanOrEqual(4);
        expect(Math.abs(got.box.x + got.box.width - p.box.x - p.box.width), d.name).toBeLessThanOrEqual(4);
        expect(Math.abs(got.box.y + got.box.height - p.box.y - p.box.height), d.name).toBeLessThanOrEqual(4);
        // The 28x28 input: the character at the clean drawing's size, not squeezed, its ink where the clean ink is.
        const a = box28(clean);
        const b = box28(got.pixels);
        expect(Math.abs(a.width - b.width), d.name).toBeLessThanOrEqual(3);
        expect(Math.abs(a.height - b.height), d.name).toBeLessThanOrEqual(3);
        const o = overlap(clean, got.pixels);
        worst = Math.min(worst, o);
        expect(o, d.name).toBeGreaterThan(0.85);
      }
      console.log(
        `${what}: ink within a pixel of the clean drawing's, worst of ${drawings.length}: ${(100 * worst).toFixed(1)}%; ` +
          `a global threshold's crop more than twice too big in ${broken}`,
      );
      // (The mild gradient on white paper was all right before; on gray paper, in blue pen and with noise, not always.)
      if (options.variant !== 'mild') expect(broken).toBeGreaterThanOrEqual(drawings.length - 1);
    });
  }

  // Its time is printed, not asserted: speed is the bench's to measure, and a second test file
  // on the other core made this 2.3 s against the 2 s once asserted here.
  it('reads the character in a 4000x3000 photo, small and off-centre', () => {
    const d = drawings[3];
    const clean = preprocessRgba(d.data, d.width, d.height).pixels;
    const p = photoLike(inkOfRgba(d.data, d.width, d.height), createRng('issue16/big'), {
      variant: 'gradient',
      width: 4000,
      height: 3000,
      size: 0.12,
    });
    let best = Infinity;
    let got = preprocessRgba(p.data, p.width, p.height);
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      got = preprocessRgba(p.data, p.width, p.height);
      best = Math.min(best, performance.now() - t0);
    }
    console.log(`a 4000x3000 photo preprocessed in ${best.toFixed(0)} ms (best of 3)`);
    expect(overlap(clean, got.pixels)).toBeGreaterThan(0.85);
    expect(Math.abs(got.box.x - p.box.x)).toBeLessThanOrEqual(8);
    expect(Math.abs(got.box.width - p.box.width)).toBeLessThanOrEqual(12);
  });

  it('reads light chalk on a dark board, unevenly lit', () => {
    const d = drawings[5];
    const clean = preprocessRgba(d.data, d.width, d.height).pixels;
    const p = photo(d, 'issue16/board', { variant: 'gradient' });
    for (let i = 0; i < p.data.length; i += 4) for (let c = 0; c < 3; c++) p.data[i + c] = 255 - p.data[i + c];
    const got = preprocessRgba(p.data, p.width, p.height);
    expect(got.polarity).toBe('light-on-dark');
    expect(overlap(clean, got.pixels)).toBeGreaterThan(0.85);
  });

  it('refuses photos of blank paper, whatever the light', () => {
    const blank: Drawing = { name: 'blank', width: 105, height: 105, data: new Uint8ClampedArray(105 * 105 * 4).fill(255) };
    // photoLike needs some ink to place: one pixel, which the camera's noise and the JPEG bury.
    blank.data.set([250, 250, 250, 255], 4 * (52 * 105 + 52));
    for (const variant of ['gradient', 'corners', 'stripe', 'lined', 'mild'] as const) {
      const p = photo(blank, `issue16/blank/${variant}`, { variant });
      expect(() => preprocessRgba(p.data, p.width, p.height), variant).toThrow(BlankImageError);
    }
  });
});

describe('clean images preprocess as before, bit for bit', () => {
  it('344 official drawings (every 17th of both zips) and 40 draw-pad drawings give the inputs they gave before issue 16', () => {
    const inputs: Float32Array[] = [];
    for (const zip of ['images_background_small1.zip', 'images_background_small2.zip'])
      for (const d of officialDrawings(zip, undefined, 17)) inputs.push(preprocessRgba(d.data, d.width, d.height).pixels);
    expect(inputs).toHaveLength(344);
    // The SHA-256 of those inputs (float32, in order) from the preprocessing before issue 16.
    expect(sha256(inputs)).toBe('c971e03a0ba11eb16b39cfa6c8406c6ddfac74ee40f7ce7e837e7749dd94677f');
    const pads = Array.from({ length: 40 }, (_, i) => {
      const img = drawPadLike(randomStrokes(createRng(`drawpad/${i}`)));
      return preprocessRgba(img.data, img.width, img.height).pixels;
    });
    expect(sha256(pads)).toBe('65a3a77189961ac37550131bb2f3494f72b7f9f91510b45f995e05dece1990d5');
  });
});

describe('the shipped model on photographed queries', () => {
  it('20-way 1-shot, held-out characters: photographed queries lose at most 5 points against the clean drawings', () => {
    const dir = resolve(ROOT, 'public', 'models', 'omniglot');
    const manifest = JSON.parse(readFileSync(resolve(dir, 'manifest.json'), 'utf8'));
    const buf = readFileSync(resolve(dir, manifest.weightsManifest[0].paths[0]));
    const ck = decodeCheckpoint(manifest, buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const config = ck.manifest.config as OmniglotConfig;
    const learner = new ConvMetaLearner(config, defaultGemm(), ck.learners.maml.theta);
    const inner = innerFor(config, 20);
    // The held-out characters, each with its 20 drawings by 20 drawers.
    const byCharacter = new Map<string, Drawing[]>();
    for (const d of heldOut) {
      const c = d.name.split('/').slice(1, 3).join('/');
      byCharacter.set(c, [...(byCharacter.get(c) ?? []), d]);
    }
    const characters = [...byCharacter.keys()];
    const rng = createRng('issue16/accuracy');
    // 20 episodes of 20 queries, each clean and photographed: 400 pairs (about 6 s an episode here).
    const episodes = 20;
    const way = 20;
    let clean = 0;
    let photographed = 0;
    const perVariant = new Map<string, { clean: number; right: number; of: number }>();
    for (let e = 0; e < episodes; e++) {
      const chosen = sampleDistinct(rng, characters.length, way).map((i) => characters[i]);
      const s = rng.int(20);
      const q = (s + 1 + rng.int(19)) % 20;
      const support = chosen.map((c) => {
        const d = byCharacter.get(c)![s];
        return [preprocessRgba(d.data, d.width, d.height).pixels];
      });
      const variants = chosen.map((_, k) => PHOTO_VARIANTS[(e + k) % PHOTO_VARIANTS.length]);
      const queries = chosen.map((c) => byCharacter.get(c)![q]);
      const cleanQ = queries.map((d) => preprocessRgba(d.data, d.width, d.height).pixels);
      const photoQ = queries.map((d, k) => {
        const p = photo(d, `issue16/accuracy/${e}/${k}`, { variant: variants[k] }, 70 + rng.int(25));
        return preprocessRgba(p.data, p.width, p.height).pixels;
      });
      const { predicted } = classifyFewShot(learner.net, learner.body, { classes: support, queries: [...cleanQ, ...photoQ] }, inner);
      for (let k = 0; k < way; k++) {
        const plain = Number(predicted[k].label === k);
        const right = Number(predicted[way + k].label === k);
        clean += plain;
        photographed += right;
        const v = perVariant.get(variants[k]) ?? { clean: 0, right: 0, of: 0 };
        perVariant.set(variants[k], { clean: v.clean + plain, right: v.right + right, of: v.of + 1 });
      }
    }
    const n = episodes * way;
    const pct = (x: number, of = n) => `${((100 * x) / of).toFixed(1)}%`;
    console.log(
      `20-way 1-shot, ${episodes} episodes of held-out characters (${n} queries): clean ${pct(clean)}, photographed ${pct(photographed)} (` +
        [...perVariant].map(([v, r]) => `${v} ${pct(r.right, r.of)} against ${pct(r.clean, r.of)}`).join(', ') +
        ')',
    );
    expect(clean / n).toBeGreaterThan(0.6);
    expect(photographed / n).toBeGreaterThanOrEqual(clean / n - 0.05);
  });
});
