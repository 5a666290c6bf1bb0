/**
 * Reads a batch of labelled examples from a .zip (or from a chosen folder's file list):
 * one sub-folder per class holding its examples, optionally a folder of queries. Every
 * entry is checked before anything is decoded: no absolute paths or "..", no nested
 * archives, only PNG/JPEG/GIF/WebP/BMP names, sizes within limits; each problem names the
 * entry and the reason, and the other entries are kept.
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { MAX_IMAGE_BYTES as MAX_ENTRY_BYTES } from '../maml/omniglot/preprocess';

export const MAX_ARCHIVE_BYTES = 200 * 1024 * 1024;

export const MAX_ENTRIES = 2000;

const IMAGE = /\.(png|jpe?g|gif|webp|bmp)$/i;
const ARCHIVE = /\.(zip|tar|gz|tgz|7z|rar|bz2|xz)$/i;

export interface NamedBytes {
  /** Path inside the archive or folder, with "/" separators. */
  path: string;
  bytes: Uint8Array;
}

export interface ArchiveProblem {
  path: string;
  reason: string;
}

/** Problems of a path on its own, or null when it is a usable image path. */
export function pathProblem(path: string): string | null {
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.includes('\\')) return 'absolute or Windows-style path';
  if (path.split('/').some((p) => p === '..')) return 'path leaves the archive ("..")';
  if (ARCHIVE.test(path)) return 'nested archives are not opened';
  if (!IMAGE.test(path)) return 'not an image file name (.png, .jpg, .gif, .webp or .bmp)';
  return null;
}

/** The entries of a zip that pass the checks, and the problems with the others. */
export function readZip(name: string, zip: Uint8Array): { entries: NamedBytes[]; problems: ArchiveProblem[] } {
  if (zip.length > MAX_ARCHIVE_BYTES)
    throw new Error(`${name}: ${(zip.length / 1e6).toFixed(0)} MB is over the ${MAX_ARCHIVE_BYTES / 1e6} MB limit`);
  const problems: ArchiveProblem[] = [];
  let count = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip, {
      filter: (f: UnzipFileInfo) => {
        if (f.name.endsWith('/')) return false;
        if (/(^|\/)(__MACOSX|\.DS_Store)/.test(f.name)) return false;
        const why =
          pathProblem(f.name) ??
          (f.originalSize > MAX_ENTRY_BYTES ? `${(f.originalSize / 1e6).toFixed(0)} MB is over the 20 MB limit` : null);
        if (why) {
          problems.push({ path: f.name, reason: why });
          return false;
        }
        if (++count > MAX_ENTRIES) {
          problems.push({ path: f.name, reason: `more than ${MAX_ENTRIES} images in the archive` });
          return false;
        }
        return true;
      },
    });
  } catch (e) {
    throw new Error(`${name}: not a readable zip archive (${(e as Error).message})`, { cause: e });
  }
  return { entries: Object.entries(entries).map(([path, bytes]) => ({ path, bytes })), problems };
}

export interface LabelledSet {
  /** Class name -> its examples, classes in name order. */
  classes: { name: string; examples: NamedBytes[] }[];
  /** Images under a "query" or "queries" folder (any depth 1). */
  queries: NamedBytes[];
  problems: ArchiveProblem[];
}

/**
 * Groups entries by their class folder: "CLASS/file.png" (or "ROOT/CLASS/file.png" when
 * everything shares one top folder); "query/…" holds the queries.
 */
export function groupByClass(entries: NamedBytes[], problems: ArchiveProblem[] = []): LabelledSet {
  const parts = entries.map((e) => e.path.split('/'));
  const roots = new Set(parts.map((p) => p[0]));
  const strip = roots.size === 1 && parts.every((p) => p.length >= 3) ? 1 : 0;
  const byClass = new Map<string, NamedBytes[]>();
  const queries: NamedBytes[] = [];
  entries.forEach((e, i) => {
    const p = parts[i].slice(strip);
    if (p.length < 2) {
      problems.push({ path: e.path, reason: 'not inside a class folder' });
      return;
    }
    const folder = p[0];
    if (/^quer(y|ies)$/i.test(folder)) queries.push(e);
    else byClass.set(folder, [...(byClass.get(folder) ?? []), e]);
  });
  const classes = [...byClass.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, examples]) => ({ name, examples: examples.sort((a, b) => a.path.localeCompare(b.path)) }));
  return { classes, queries, problems };
}
