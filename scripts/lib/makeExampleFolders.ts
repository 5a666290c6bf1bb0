/**
 * Writes support and query folders of PNG images drawn from held-out Omniglot characters
 * (upscaled, dark ink on light paper, as a scan would be): for the classify tests and as
 * an example of the expected layout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'fast-png';
import type { OmniglotDataset } from '../../src/maml/omniglot/pack';
import { createRng } from '../../src/maml/random';
import { sampleDistinct } from '../../src/maml/omniglot/tasks';

export function characterPng(ds: OmniglotDataset, image: number, scale = 4): Uint8Array {
  const n = 28 * scale;
  const data = new Uint8Array(n * n);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) data[y * n + x] = 255 - ds.pixels[image * 784 + Math.floor(y / scale) * 28 + Math.floor(x / scale)];
  return encode({ width: n, height: n, data, channels: 1, depth: 8 });
}

export function makeExampleFolders(ds: OmniglotDataset, dir: string, way: number, shot: number, queries: number, seed: string) {
  const rng = createRng(seed);
  const pool = ds.classes.test;
  const picks = sampleDistinct(rng, pool.length, way);
  const truth: Record<string, string> = {};
  picks.forEach((p, k) => {
    const c = pool[p];
    const name = `${c.alphabet}-${c.character}`;
    const drawings = sampleDistinct(rng, c.count, shot + queries);
    mkdirSync(join(dir, 'support', name), { recursive: true });
    mkdirSync(join(dir, 'query'), { recursive: true });
    drawings.slice(0, shot).forEach((d, i) => writeFileSync(join(dir, 'support', name, `${i}.png`), characterPng(ds, c.first + d)));
    drawings.slice(shot).forEach((d, i) => {
      const file = `q${k}-${i}.png`;
      writeFileSync(join(dir, 'query', file), characterPng(ds, c.first + d));
      truth[file] = name;
    });
  });
  return truth;
}
