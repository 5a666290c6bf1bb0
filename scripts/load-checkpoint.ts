import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { decodeCheckpoint, type Checkpoint } from '../src/maml/checkpoint';

/** Reads a checkpoint from its manifest path (or the folder holding manifest.json). */
export function loadCheckpoint(path: string): Checkpoint {
  const manifestPath = path.endsWith('.json') ? path : join(path, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const weightsFile = manifest?.weightsManifest?.[0]?.paths?.[0] ?? 'weights.bin';
  const buf = readFileSync(join(dirname(manifestPath), weightsFile));
  return decodeCheckpoint(manifest, buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}
