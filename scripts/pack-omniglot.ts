/**
 * Packs the Omniglot subset into public/data/omniglot.{json,bin} (git-ignored). Reads the
 * official zips from $OMNIGLOT_DIR or ../shared/omniglot, or downloads them from the
 * official repository when neither exists; every zip's SHA-256 is checked first.
 * Skips the work when the pack is already there and made from the same zips.
 *
 *   npm run pack-omniglot [-- --force] [--optional]
 * With --optional (npm install, npm start) a failure is a warning: the sinusoid lab works
 * without the data, and the Omniglot tab says how to get it.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OMNIGLOT_SOURCES, OMNIGLOT_URL, omniglotSourceDir, packOmniglot, verifyChecksum } from './lib/packOmniglot';

const root = resolve(import.meta.dirname ?? '.', '..');
const outDir = join(root, 'public', 'data');
const indexPath = join(outDir, 'omniglot.json');
const binPath = join(outDir, 'omniglot.bin');
const force = process.argv.includes('--force');
const optional = process.argv.includes('--optional');

async function readSource(dir: string | null, file: string): Promise<Uint8Array> {
  if (dir) {
    const path = join(dir, file);
    if (!existsSync(path)) throw new Error(`${path} is missing`);
    return new Uint8Array(readFileSync(path));
  }
  const url = OMNIGLOT_URL + file;
  console.log(`pack-omniglot: downloading ${url}`);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

function upToDate(): boolean {
  if (force || !existsSync(indexPath) || !existsSync(binPath)) return false;
  try {
    const index = JSON.parse(readFileSync(indexPath, 'utf8'));
    return JSON.stringify(index.sources) === JSON.stringify(OMNIGLOT_SOURCES.map((s) => ({ file: s.file, sha256: s.sha256 })));
  } catch {
    return false;
  }
}

async function main() {
  if (upToDate()) {
    console.log(`pack-omniglot: ${indexPath} is up to date`);
    return;
  }
  const dir = omniglotSourceDir();
  const zips = [];
  for (const s of OMNIGLOT_SOURCES) {
    const bytes = await readSource(dir, s.file);
    verifyChecksum(s.file, bytes, s.sha256);
    zips.push({ file: s.file, bytes, sha256: s.sha256 });
  }
  const t0 = performance.now();
  const { index, pixels } = packOmniglot(zips);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(binPath + '.tmp', pixels);
  writeFileSync(indexPath + '.tmp', JSON.stringify(index));
  renameSync(binPath + '.tmp', binPath);
  renameSync(indexPath + '.tmp', indexPath);
  const chars = index.alphabets.reduce((n, a) => n + a.characters.length, 0);
  console.log(
    `pack-omniglot: ${index.alphabets.length} alphabets, ${chars} characters, ${index.images} images -> ${binPath} (${(pixels.length / 1e6).toFixed(1)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

main().catch((e) => {
  console.error(`pack-omniglot: ${(e as Error).message}`);
  if (optional)
    console.error(
      'pack-omniglot: continuing without the Omniglot data; set OMNIGLOT_DIR to a folder with the official zips and run npm run pack-omniglot',
    );
  process.exit(optional ? 0 : 1);
});
