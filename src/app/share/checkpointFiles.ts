/**
 * A checkpoint as files: export saves tfjs's weight format (a JSON manifest and its
 * weights.bin); import takes the two files back, checked on the page before anything is
 * read in full (count, kinds, sizes, JSON) — the worker then checks the contents
 * (format, version, shapes, finite values, settings) before it changes anything.
 */
import type { ModelUpload } from '../../maml/io/modelImport';

export const MAX_MANIFEST_BYTES = 256 * 1024;
/** The largest sinusoid model the controls allow (4 × 256 hidden units), with Adam's state, for two learners, is about 6.5 MB. */
export const MAX_WEIGHTS_BYTES = 16 * 1024 * 1024;

export type CheckpointFiles = { name: string; manifest: unknown; weights: ArrayBuffer } | { error: string };

const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;

/** Picks the manifest (.json) and the weights (.bin) out of the chosen files and reads them. */
export async function readCheckpointFiles(files: readonly File[]): Promise<CheckpointFiles> {
  if (files.length !== 2) return { error: `Choose two files, the manifest (.json) and its weights (.bin); ${files.length} chosen.` };
  const manifestFile = files.find((f) => /\.json$/i.test(f.name));
  const weightsFile = files.find((f) => f !== manifestFile && /\.bin$/i.test(f.name));
  if (!manifestFile || !weightsFile) return { error: 'Choose one .json manifest and one .bin weights file.' };
  if (manifestFile.size > MAX_MANIFEST_BYTES)
    return { error: `The manifest ${manifestFile.name} is ${kb(manifestFile.size)}, over the limit of ${kb(MAX_MANIFEST_BYTES)}.` };
  if (weightsFile.size > MAX_WEIGHTS_BYTES)
    return { error: `The weights file ${weightsFile.name} is ${kb(weightsFile.size)}, over the limit of ${kb(MAX_WEIGHTS_BYTES)}.` };
  let manifest: unknown;
  try {
    manifest = JSON.parse(await manifestFile.text());
  } catch (e) {
    return { error: `The manifest ${manifestFile.name} is not valid JSON (${(e as Error).message}).` };
  }
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest))
    return { error: `The manifest ${manifestFile.name} is not a JSON object.` };
  return { name: manifestFile.name, manifest, weights: await weightsFile.arrayBuffer() };
}

/**
 * The files a user chose to import into a lab: a manifest and its weights (every lab), or,
 * where the lab takes it, one PyTorch .safetensors file. Checked for count, kinds and sizes
 * here; the worker checks the contents (io/modelImport.ts) before it changes anything.
 */
export async function readModelFiles(
  files: readonly File[],
  { safetensors }: { safetensors: boolean },
): Promise<ModelUpload | { error: string }> {
  const st = files.find((f) => /\.safetensors$/i.test(f.name));
  if (st) {
    if (!safetensors) return { error: 'This lab imports the manifest (.json) and weights (.bin) it exports, not .safetensors.' };
    if (files.length !== 1) return { error: `Choose the .safetensors file alone; ${files.length} files chosen.` };
    if (st.size > MAX_WEIGHTS_BYTES) return { error: `${st.name} is ${kb(st.size)}, over the limit of ${kb(MAX_WEIGHTS_BYTES)}.` };
    return { name: st.name, safetensors: await st.arrayBuffer() };
  }
  return readCheckpointFiles(files);
}

/** Offers a file to save. */
export function download(name: string, data: Blob) {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
