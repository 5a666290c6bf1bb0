/**
 * The pen strokes of the packed drawings, read from the official strokes zips
 * ($OMNIGLOT_DIR or ../shared/omniglot, checksums checked) for meta-training's stroke
 * re-rendering (`--strokes`): one Drawing per pack image, matched by alphabet, character and
 * drawer. Nothing is unpacked to disk.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { OmniglotDataset } from '../../src/maml/omniglot/pack';
import { parseStrokes, type StrokeSet } from '../../src/maml/omniglot/strokes';
import { omniglotSourceDir, verifyChecksum } from './packOmniglot';

export const STROKE_SOURCES = [
  { file: 'strokes_background_small1.zip', sha256: '8cb3960fb6cf4ccf5f064ad83169f828c36c36782a0f6e7faacb7ecfae4468a2' },
  { file: 'strokes_background_small2.zip', sha256: '345bf2141efbea062833dbb2828abbc23d9e07825e46f2afdd4daecddfed6e78' },
] as const;

/** The strokes of every drawing of `ds`, in pack order; throws, naming what is missing, when a zip or a drawing's strokes are absent. */
export function loadStrokes(ds: OmniglotDataset, dir = omniglotSourceDir()): StrokeSet {
  if (!dir) throw new Error('stroke re-rendering needs the official strokes zips: set OMNIGLOT_DIR or put them in ../shared/omniglot');
  const texts = new Map<string, { text: Uint8Array; name: string }>();
  for (const { file, sha256 } of STROKE_SOURCES) {
    const path = join(dir, file);
    if (!existsSync(path)) throw new Error(`${path} is missing: stroke re-rendering needs it`);
    const bytes = new Uint8Array(readFileSync(path));
    verifyChecksum(file, bytes, sha256);
    for (const [name, data] of Object.entries(unzipSync(bytes))) {
      const m = /^[^/]+\/([^/]+)\/([^/]+)\/\d+_(\d+)\.txt$/.exec(name);
      if (!m) continue;
      const key = `${m[1]}/${m[2]}/${Number(m[3])}`;
      if (!texts.has(key)) texts.set(key, { text: data, name: `${file}:${name}` });
    }
  }
  const decoder = new TextDecoder();
  const strokes: StrokeSet = new Array(ds.index.images).fill(null);
  for (const a of ds.index.alphabets) {
    for (const c of a.characters) {
      c.drawers.forEach((drawer, i) => {
        const hit = texts.get(`${a.name}/${c.name}/${drawer}`);
        if (!hit)
          throw new Error(`no strokes for ${a.name}/${c.name}, drawer ${drawer}, in ${STROKE_SOURCES.map((s) => s.file).join(' or ')}`);
        strokes[c.first + i] = parseStrokes(decoder.decode(hit.text), hit.name);
      });
    }
  }
  return strokes;
}
