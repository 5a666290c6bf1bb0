/**
 * The packed Omniglot subset: one binary of 28x28 grayscale images (ink = 255) and a JSON
 * index naming each alphabet, character and drawer. Written by scripts/pack-omniglot.ts
 * from the official zips, read here by the worker and the Node scripts alike.
 */
import type { StrokeSet } from './strokes';

export const OMNIGLOT_SIZE = 28;
export const OMNIGLOT_PIXELS = OMNIGLOT_SIZE * OMNIGLOT_SIZE;
export const PACK_FORMAT = 'omniglot-pack';
export const PACK_VERSION = 1;

/** Alphabets held out for meta-testing: meta-training never sees them. */
export const TEST_ALPHABETS = ['Tagalog', 'Japanese_(katakana)'] as const;

export type Split = 'train' | 'test';

export interface CharacterEntry {
  name: string;
  /** Index of its first image in the binary; its drawings follow contiguously. */
  first: number;
  count: number;
  /** Drawer number (from the file name) of each drawing, in order. */
  drawers: number[];
}

export interface AlphabetEntry {
  name: string;
  split: Split;
  characters: CharacterEntry[];
}

export interface OmniglotIndex {
  format: typeof PACK_FORMAT;
  version: typeof PACK_VERSION;
  size: number;
  images: number;
  sources: { file: string; sha256: string }[];
  alphabets: AlphabetEntry[];
}

/** One character class of a split, with where its drawings live. */
export interface CharacterClass {
  alphabet: string;
  character: string;
  first: number;
  count: number;
}

export interface OmniglotDataset {
  index: OmniglotIndex;
  /** images * 28 * 28 bytes, ink = 255. */
  pixels: Uint8Array;
  classes: Record<Split, CharacterClass[]>;
  /** Each image's pen strokes, where loaded (Node's meta-training with stroke re-rendering). */
  strokes?: StrokeSet;
}

export function splitOf(alphabet: string): Split {
  return (TEST_ALPHABETS as readonly string[]).includes(alphabet) ? 'test' : 'train';
}

/** Checks an index and binary against each other and builds the per-split class lists. */
export function openOmniglotPack(index: OmniglotIndex, pixels: Uint8Array): OmniglotDataset {
  if (index.format !== PACK_FORMAT || index.version !== PACK_VERSION)
    throw new Error(`not an Omniglot pack (format ${index.format}, version ${index.version})`);
  if (index.size !== OMNIGLOT_SIZE) throw new Error(`Omniglot pack has ${index.size}px images, expected ${OMNIGLOT_SIZE}`);
  if (pixels.length !== index.images * OMNIGLOT_PIXELS) {
    throw new Error(
      `Omniglot pack binary holds ${pixels.length} bytes, the index says ${index.images} images (${index.images * OMNIGLOT_PIXELS} bytes); run npm run pack-omniglot`,
    );
  }
  const classes: Record<Split, CharacterClass[]> = { train: [], test: [] };
  for (const a of index.alphabets) {
    for (const c of a.characters) {
      if (c.first < 0 || c.first + c.count > index.images || c.count !== c.drawers.length)
        throw new Error(`Omniglot pack index is inconsistent at ${a.name}/${c.name}`);
      classes[a.split].push({ alphabet: a.name, character: c.name, first: c.first, count: c.count });
    }
  }
  return { index, pixels, classes };
}

/**
 * Writes image `image` of the pack into `out` at `offset` as floats in [0, 1] (ink = 1),
 * rotated by `quarterTurns` * 90 degrees counter-clockwise and shifted by whole pixels.
 * `out` must hold zeros there (fresh arrays do). `source` (784 bytes, ink = 255) stands in for
 * the packed image: a drawing re-rendered from its strokes.
 */
export function writeImage(
  ds: OmniglotDataset,
  image: number,
  quarterTurns: number,
  out: Float32Array,
  offset: number,
  shiftX = 0,
  shiftY = 0,
  warp?: AffineWarp,
  source?: Uint8Array,
) {
  const n = OMNIGLOT_SIZE;
  const src = source ?? ds.pixels;
  const base = source ? 0 : image * OMNIGLOT_PIXELS;
  const r = ((quarterTurns % 4) + 4) % 4;
  // Warped: rotate into a scratch image, then sample it (bilinear) through the warp below.
  const target = warp ? (scratch ??= new Float32Array(OMNIGLOT_PIXELS)).fill(0) : out;
  const at = warp ? 0 : offset;
  const sx0 = warp ? 0 : shiftX;
  const sy0 = warp ? 0 : shiftY;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      // (x, y) of the output reads the source pixel that rotates onto it.
      let sx = x;
      let sy = y;
      if (r === 1) {
        sx = n - 1 - y;
        sy = x;
      } else if (r === 2) {
        sx = n - 1 - x;
        sy = n - 1 - y;
      } else if (r === 3) {
        sx = y;
        sy = n - 1 - x;
      }
      // Then shifted by (shiftX, shiftY) pixels, paper filling in.
      const ty = y + sy0;
      const tx = x + sx0;
      if (ty >= 0 && ty < n && tx >= 0 && tx < n) target[at + ty * n + tx] = src[base + sy * n + sx] / 255;
    }
  }
  if (warp) warpInto(target, out, offset, warp, shiftX, shiftY);
}

/**
 * An affine map of the image plane about its centre, as the matrix that takes an output
 * pixel (relative to the centre) to the point of the source it shows: [a, b, c, d] for
 * u = a x + b y, v = c x + d y.
 */
export type AffineWarp = readonly [number, number, number, number];

let scratch: Float32Array | null = null;

/** out = img seen through `warp` and then shifted, bilinear, paper (0) outside. */
function warpInto(img: Float32Array, out: Float32Array, offset: number, [a, b, c, d]: AffineWarp, shiftX: number, shiftY: number) {
  const n = OMNIGLOT_SIZE;
  const mid = (n - 1) / 2;
  const px = (x: number, y: number) => (x >= 0 && x < n && y >= 0 && y < n ? img[y * n + x] : 0);
  for (let ty = 0; ty < n; ty++) {
    for (let tx = 0; tx < n; tx++) {
      const x = tx - shiftX - mid;
      const y = ty - shiftY - mid;
      const u = a * x + b * y + mid;
      const v = c * x + d * y + mid;
      const x0 = Math.floor(u);
      const y0 = Math.floor(v);
      const fx = u - x0;
      const fy = v - y0;
      out[offset + ty * n + tx] =
        (1 - fy) * ((1 - fx) * px(x0, y0) + fx * px(x0 + 1, y0)) + fy * ((1 - fx) * px(x0, y0 + 1) + fx * px(x0 + 1, y0 + 1));
    }
  }
}

/** Images as floats in [0, 1] (ink = 1) back to bytes (ink = 255), for display and transfer. */
export function toInkBytes(x: Float32Array): Uint8Array {
  return Uint8Array.from(x, (v) => Math.round(v * 255));
}
