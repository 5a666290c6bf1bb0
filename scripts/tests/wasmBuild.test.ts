import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildModule, ROOT, SOURCE, TARGET } from '../lib/wasmBuild';

describe('the embedded WebAssembly kernels', () => {
  it(`${TARGET} is the build of ${SOURCE} (npm run build-wasm)`, async () => {
    expect(readFileSync(`${ROOT}/${TARGET}`, 'utf8')).toBe(await buildModule());
  });
});
