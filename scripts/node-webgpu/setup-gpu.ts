/** Loads Dawn's Node bindings (dawn.node from npm `webgpu`) and exposes navigator.gpu before tfjs-backend-webgpu registers. */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const req = createRequire(import.meta.url);
const dawnPath = process.env.DAWN_NODE ?? join(here, 'dawn.node');
const flags = (process.env.DAWN_FLAGS ?? '').split(',').filter(Boolean);
export let dawnError: string | null = null;
export let gpuObject: unknown = null;
try {
  const { create, globals } = req(dawnPath) as { create(f: string[]): unknown; globals: Record<string, unknown> };
  Object.assign(globalThis, globals);
  gpuObject = create(flags);
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpuObject, configurable: true });
  else (globalThis as { navigator?: object }).navigator = { gpu: gpuObject };
} catch (e) {
  dawnError = (e as Error).message;
}
