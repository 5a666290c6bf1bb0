/**
 * Packs the official Omniglot zips into the compact form the app loads
 * (src/maml/omniglot/pack.ts): 28x28, ink = 1, area-averaged from 105x105.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { unzipSync } from 'fflate';
import { areaResize } from '../../src/maml/omniglot/areaResize';
import { decodeImage } from './decodeImage';
import {
  OMNIGLOT_PIXELS,
  OMNIGLOT_SIZE,
  PACK_FORMAT,
  PACK_VERSION,
  splitOf,
  type AlphabetEntry,
  type OmniglotIndex,
} from '../../src/maml/omniglot/pack';

/** The official files (brendenlake/omniglot, python/) and their SHA-256 sums. */
export const OMNIGLOT_SOURCES = [
  { file: 'images_background_small1.zip', sha256: 'f38eb80f801274ac2b4dff5b24289016bfaba4a7d5bb50deebf27104ad6cb8a4' },
  { file: 'images_background_small2.zip', sha256: '3ccaa407515a8778e5d0861875af38b17e418f301ad5bb3b5a6b65d901a41c7f' },
] as const;

export const OMNIGLOT_URL = 'https://raw.githubusercontent.com/brendenlake/omniglot/master/python/';

/** Where the official zips are: $OMNIGLOT_DIR (which must exist) or ../shared/omniglot beside the project; null when neither. */
export function omniglotSourceDir(): string | null {
  const env = process.env.OMNIGLOT_DIR;
  if (env) {
    if (!existsSync(env)) throw new Error(`OMNIGLOT_DIR=${env} does not exist`);
    return resolve(env);
  }
  const shared = resolve(import.meta.dirname ?? '.', '..', '..', '..', 'shared', 'omniglot');
  return existsSync(shared) ? shared : null;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Throws, naming the file, when its bytes do not have the expected SHA-256. */
export function verifyChecksum(file: string, bytes: Uint8Array, expected: string) {
  const actual = sha256(bytes);
  if (actual !== expected)
    throw new Error(`${file}: SHA-256 ${actual} does not match the expected ${expected}; the file is corrupt or not the official one`);
}

/** One drawing, decoded (by the one decoder of the command line) and downsampled: 784 bytes, ink = 255. */
export function packDrawing(png: Uint8Array, name: string): Uint8Array {
  let img;
  try {
    img = decodeImage(name, png);
  } catch (e) {
    throw new Error(`${name}: not a readable PNG (${(e as Error).message.replace(`${name}: `, '')})`, { cause: e });
  }
  const { width, height, data } = img;
  const ink = new Float32Array(width * height);
  for (let i = 0; i < ink.length; i++) ink[i] = 1 - data[4 * i] / 255; // black strokes on white paper: ink = 1
  const small = areaResize(ink, width, height, OMNIGLOT_SIZE, OMNIGLOT_SIZE);
  const out = new Uint8Array(OMNIGLOT_PIXELS);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, small[i])) * 255);
  return out;
}

export interface PackResult {
  index: OmniglotIndex;
  pixels: Uint8Array;
}

/**
 * Packs the drawings of every zip. An alphabet that appears in more than one zip (Greek
 * and Latin are in both small sets) is taken once, from the first zip holding it.
 */
export function packOmniglot(zips: { file: string; bytes: Uint8Array; sha256: string }[]): PackResult {
  const drawings = new Map<string, Map<string, { drawer: number; png: Uint8Array; name: string }[]>>();
  const alphabetSource = new Map<string, string>();
  for (const { file, bytes } of zips) {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(bytes);
    } catch (e) {
      throw new Error(`${file}: not a readable zip archive (${(e as Error).message})`, { cause: e });
    }
    const seenHere = new Set<string>();
    for (const [path, data] of Object.entries(entries)) {
      const m = /^[^/]+\/([^/]+)\/([^/]+)\/(\d+)_(\d+)\.png$/.exec(path);
      if (!m) continue;
      const [, alphabet, character, , drawer] = m;
      const owner = alphabetSource.get(alphabet);
      if (owner && owner !== file) continue; // duplicate alphabet from an earlier zip
      alphabetSource.set(alphabet, file);
      seenHere.add(alphabet);
      let chars = drawings.get(alphabet);
      if (!chars) drawings.set(alphabet, (chars = new Map()));
      let list = chars.get(character);
      if (!list) chars.set(character, (list = []));
      list.push({ drawer: Number(drawer), png: data, name: `${file}:${path}` });
    }
    if (seenHere.size === 0 && ![...alphabetSource.values()].includes(file)) {
      throw new Error(`${file}: holds no Omniglot drawings (expected ALPHABET/characterNN/NNNN_NN.png)`);
    }
  }
  const alphabets: AlphabetEntry[] = [];
  const chunks: Uint8Array[] = [];
  let images = 0;
  for (const alphabet of [...drawings.keys()].sort()) {
    const chars = drawings.get(alphabet)!;
    const entry: AlphabetEntry = { name: alphabet, split: splitOf(alphabet), characters: [] };
    for (const character of [...chars.keys()].sort()) {
      const list = chars.get(character)!.sort((a, b) => a.drawer - b.drawer);
      entry.characters.push({ name: character, first: images, count: list.length, drawers: list.map((d) => d.drawer) });
      for (const d of list) chunks.push(packDrawing(d.png, d.name));
      images += list.length;
    }
    alphabets.push(entry);
  }
  const pixels = new Uint8Array(images * OMNIGLOT_PIXELS);
  chunks.forEach((c, i) => pixels.set(c, i * OMNIGLOT_PIXELS));
  return {
    index: {
      format: PACK_FORMAT,
      version: PACK_VERSION,
      size: OMNIGLOT_SIZE,
      images,
      sources: zips.map((z) => ({ file: z.file, sha256: z.sha256 })),
      alphabets,
    },
    pixels,
  };
}
