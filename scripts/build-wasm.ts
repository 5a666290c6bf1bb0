/**
 * Compiles wasm/denseKernels.ts (AssemblyScript, SIMD) and writes the module, base64, into
 * src/maml/sinusoid/denseSimd.wasm.ts. `--check` only compiles, and fails if that file
 * differs (a unit test checks the same, so the committed module is always the source's).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { buildModule, ROOT, SOURCE, TARGET } from './lib/wasmBuild';

const text = await buildModule();
const target = `${ROOT}/${TARGET}`;
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== text) {
    console.error(`${TARGET} is not the build of ${SOURCE}: run npm run build-wasm`);
    process.exit(1);
  }
  console.log(`${TARGET} matches ${SOURCE}`);
} else {
  writeFileSync(target, text);
  console.log(`wrote ${TARGET}`);
}
