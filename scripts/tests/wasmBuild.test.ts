import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildModule, MODULES, ROOT } from '../lib/wasmBuild';

describe('the embedded WebAssembly kernels', () => {
  for (const m of MODULES)
    it(`${m.target} is the build of ${m.source} (npm run build-wasm)`, async () => {
      expect(readFileSync(`${ROOT}/${m.target}`, 'utf8')).toBe(await buildModule(m));
    });
});
