/** Loads the packed Omniglot subset from public/data for Node scripts and tests. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openOmniglotPack, type OmniglotDataset } from '../../src/maml/omniglot/pack';

export const PACK_DIR = resolve(import.meta.dirname ?? '.', '..', '..', 'public', 'data');

export function loadOmniglot(dir = PACK_DIR): OmniglotDataset {
  const indexPath = join(dir, 'omniglot.json');
  const binPath = join(dir, 'omniglot.bin');
  if (!existsSync(indexPath) || !existsSync(binPath)) throw new Error(`${indexPath} is missing: run npm run pack-omniglot`);
  return openOmniglotPack(JSON.parse(readFileSync(indexPath, 'utf8')), new Uint8Array(readFileSync(binPath)));
}
