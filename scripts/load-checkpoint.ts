import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint, type CheckpointManifest } from '../src/maml/checkpoint';
import { decodeSafetensors } from '../src/maml/io/safetensors';
import { conv4FromTorch, readConv4Settings } from '../src/maml/io/conv4Torch';
import type { OmniglotConfig } from '../src/maml/omniglot/config';

/** Reads a checkpoint from its manifest path (or the folder holding manifest.json). */
export function loadCheckpoint(path: string): Checkpoint {
  const manifestPath = path.endsWith('.json') ? path : join(path, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const weightsFile = manifest?.weightsManifest?.[0]?.paths?.[0] ?? 'weights.bin';
  const buf = readFileSync(join(dirname(manifestPath), weightsFile));
  return decodeCheckpoint(manifest, buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/**
 * A conv-4 model saved under PyTorch names (a .safetensors file, docs/PYTORCH.md), with
 * the Omniglot settings to adapt it: those in the file's metadata (alpha, way, trainSteps,
 * testSteps; npm run export-model writes them), the rest from the shipped model's manifest.
 */
export function loadTorchConv4(path: string, defaults = 'public/models/omniglot'): { config: OmniglotConfig; theta: Float32Array[] } {
  const buf = readFileSync(path);
  const { tensors, metadata } = decodeSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  const { filters, theta } = conv4FromTorch(tensors);
  const settings = readConv4Settings(metadata, filters);
  const base = loadCheckpoint(defaults).manifest.config as OmniglotConfig;
  const given = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
  return { config: { ...base, ...given, filters }, theta };
}

/**
 * Rewrites the checkpoint in `dir` with each learner's θ and iteration only, without Adam's
 * moments: the form the page downloads (a third of the bytes). Training it further starts
 * Adam over (the learner contract's restore without optimiser slots).
 */
export async function dropOptimizerState(dir: string) {
  const ck = loadCheckpoint(dir);
  const { format: _f, version: _v, weightsManifest: _w, learners: info, ...rest } = ck.manifest;
  const learners = Object.fromEntries(
    Object.entries(ck.learners).map(([k, l]) => [k, { theta: l.theta, iteration: l.iteration, algorithm: info[k].algorithm }]),
  );
  writeCheckpoint(dir, await encodeCheckpoint({ ...rest, learners }));
}

/**
 * Writes an encoded checkpoint as `dir`/weights.bin and `dir`/manifest.json, each through a
 * temporary file renamed into place, so a run stopped mid-write leaves the previous checkpoint whole.
 */
export function writeCheckpoint(dir: string, { manifest, weights }: { manifest: CheckpointManifest; weights: ArrayBuffer }) {
  writeFileSync(join(dir, 'weights.bin.tmp'), Buffer.from(weights));
  writeFileSync(join(dir, 'manifest.json.tmp'), JSON.stringify(manifest, null, 1));
  renameSync(join(dir, 'weights.bin.tmp'), join(dir, 'weights.bin'));
  renameSync(join(dir, 'manifest.json.tmp'), join(dir, 'manifest.json'));
}
