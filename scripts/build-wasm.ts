/**
 * Compiles each AssemblyScript source in wasm/ (SIMD) and writes its module, base64, into the
 * TypeScript file that embeds it (scripts/lib/wasmBuild.ts lists them). `--check` only
 * compiles, and fails if a file differs (a unit test checks the same, so the committed
 * modules are always their sources' builds).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { buildModule, MODULES, ROOT } from './lib/wasmBuild';

let stale = 0;
for (const m of MODULES) {
  const text = await buildModule(m);
  const target = `${ROOT}/${m.target}`;
  if (process.argv.includes('--check')) {
    if (readFileSync(target, 'utf8') !== text) {
      console.error(`${m.target} is not the build of ${m.source}: run npm run build-wasm`);
      stale++;
    } else console.log(`${m.target} matches ${m.source}`);
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${m.target}`);
  }
}
if (stale) process.exit(1);
