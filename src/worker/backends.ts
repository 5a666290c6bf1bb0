/**
 * The tfjs backend chain for the worker: webgpu, webgl, wasm, cpu. Each candidate is
 * probed (is it there, on what adapter) and, in automatic mode, calibrated on the
 * experiment itself; the fastest wins, since a software WebGPU adapter can be slower
 * than wasm.
 */
import './wasmBackend';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import * as tf from '../maml/tf';
import { BACKENDS, type BackendChoice, type BackendName, type BackendReport } from './protocol';

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
}

/** What WebGPU adapter this browser gives, without creating the backend. */
async function webgpuAdapterNote(): Promise<{ ok: boolean; note: string; fallback: boolean }> {
  const gpu = (self.navigator as unknown as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (!gpu) return { ok: false, note: 'WebGPU is not exposed by this browser', fallback: false };
  const adapter = await gpu.requestAdapter();
  if (!adapter) return { ok: false, note: 'no WebGPU adapter', fallback: false };
  const fallback = Boolean(adapter.isFallbackAdapter ?? adapter.info?.isFallbackAdapter);
  const name = [adapter.info?.vendor, adapter.info?.architecture, adapter.info?.description].filter(Boolean).join(' ');
  return { ok: true, note: `${fallback ? 'software fallback adapter' : 'GPU adapter'}${name ? ` (${name})` : ''}`, fallback };
}

/** Switches to `name`; reports whether it works and on what. */
export async function activate(name: BackendName): Promise<BackendReport> {
  let note = '';
  if (name === 'webgpu') {
    const probe = await webgpuAdapterNote();
    if (!probe.ok) return { name, available: false, note: probe.note };
    note = probe.note;
  }
  try {
    const ok = await tf.setBackend(name);
    if (!ok) return { name, available: false, note: note || `tfjs could not start ${name}` };
    await tf.ready();
    if (name === 'webgl') {
      const v = tf.env().getNumber('WEBGL_VERSION');
      note = `WebGL ${v}`;
    }
    if (name === 'wasm') note = 'WebAssembly, single thread';
    if (name === 'cpu') note = 'plain JavaScript';
    return { name, available: true, note };
  } catch (e) {
    return { name, available: false, note: `failed to start: ${(e as Error).message}` };
  }
}

/**
 * Picks the backend. With a requested one, uses it if it works (and says so if not).
 * In automatic mode, calibrates each available candidate with `measure` and takes the fastest.
 */
export async function chooseBackend(
  requested: BackendChoice,
  measure: (name: BackendName) => Promise<number>,
  onCalibrating: (name: BackendName) => void,
): Promise<{ chosen: BackendName; reason: string; candidates: BackendReport[] }> {
  const candidates: BackendReport[] = [];
  if (requested !== 'auto') {
    const r = await activate(requested);
    candidates.push(r);
    if (r.available) return { chosen: requested, reason: `requested with ?backend=${requested}`, candidates };
  }
  for (const name of BACKENDS) {
    if (name === requested) continue;
    const r = await activate(name);
    if (r.available) {
      onCalibrating(name);
      try {
        r.metaItersPerSec = await measure(name);
      } catch (e) {
        r.available = false;
        r.note += `; failed during calibration: ${(e as Error).message}`;
      }
    }
    candidates.push(r);
  }
  const usable = candidates.filter((c) => c.available && c.metaItersPerSec !== undefined);
  if (!usable.length) throw new Error('no tfjs backend could run: ' + candidates.map((c) => `${c.name}: ${c.note}`).join('; '));
  usable.sort((a, b) => b.metaItersPerSec! - a.metaItersPerSec!);
  const best = usable[0];
  await tf.setBackend(best.name);
  await tf.ready();
  const skipped = candidates
    .filter((c) => BACKENDS.indexOf(c.name) < BACKENDS.indexOf(best.name))
    .map((c) => (c.available ? `${c.name} measured slower (${c.metaItersPerSec!.toFixed(1)} it/s, ${c.note})` : `${c.name}: ${c.note}`));
  const lead = requested !== 'auto' ? `${requested} was requested but is unavailable; ` : '';
  const reason =
    `${lead}fastest in calibration (${best.metaItersPerSec!.toFixed(1)} it/s)` + (skipped.length ? `; ${skipped.join('; ')}` : '');
  return { chosen: best.name, reason, candidates };
}

interface LosableDevice {
  lost: Promise<{ reason?: string; message?: string }>;
  destroy(): void;
}

/** The GPUDevice of tfjs's webgpu backend, when that backend is the active one. */
export function webgpuDevice(): LosableDevice | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: LosableDevice }).device ?? null;
}

/**
 * Resolves with a description when the active WebGPU device is lost (a driver reset, the GPU
 * process gone, or `destroy()`); never resolves when no WebGPU device is active.
 */
export function deviceLost(): Promise<string> {
  const device = webgpuDevice();
  if (!device) return new Promise(() => {});
  return device.lost.then((info) => info.message || info.reason || 'no reason given');
}

/** After a lost GPU: the CPU backend the work moves to (wasm, else plain JavaScript). */
export async function fallBackFromGpu(): Promise<BackendReport> {
  const wasm = await activate('wasm');
  return wasm.available ? wasm : activate('cpu');
}

/** Whether `lost` resolves within `ms`: a GPU read fails before the device reports its loss. */
export function lostWithin(lost: Promise<string>, ms: number): Promise<string | null> {
  return Promise.race([lost, new Promise<null>((r) => setTimeout(() => r(null), ms))]);
}
