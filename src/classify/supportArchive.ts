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

/** What the images of one archive may inflate to, all together (their sizes as declared; fflate never writes more). */
export const MAX_INFLATED_BYTES = 200e6;

/** Entries of any kind in one archive's directory. */
export const MAX_DIRECTORY_ENTRIES = 20_000;

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

/** Why an entry is skipped (a folder, macOS metadata: null, silently) or refused, or 'ok'. */
function entryVerdict(name: string, size: number): 'ok' | null | string {
  if (name.endsWith('/')) return null;
  if (/(^|\/)(__MACOSX|\.DS_Store)/.test(name)) return null;
  return pathProblem(name) ?? (size > MAX_ENTRY_BYTES ? `${(size / 1e6).toFixed(0)} MB is over the 20 MB limit` : 'ok');
}

const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;

/**
 * The entries a zip's central directory declares (name and uncompressed size), read without
 * inflating anything; null when no directory is found (fflate then names the problem).
 */
export function zipDirectory(zip: Uint8Array): { name: string; size: number }[] | null {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return null;
  const count = dv.getUint16(end + 10, true);
  let at = dv.getUint32(end + 16, true);
  if (count > MAX_DIRECTORY_ENTRIES) throw new Error(`${count} entries, more than the ${MAX_DIRECTORY_ENTRIES} an archive may hold`);
  const decoder = new TextDecoder();
  const entries: { name: string; size: number }[] = [];
  for (let k = 0; k < count; k++) {
    if (at + 46 > zip.length || dv.getUint32(at, true) !== 0x02014b50) throw new Error('its central directory is damaged');
    const size = dv.getUint32(at + 24, true);
    const nameLength = dv.getUint16(at + 28, true);
    const skip = nameLength + dv.getUint16(at + 30, true) + dv.getUint16(at + 32, true);
    if (at + 46 + nameLength > zip.length) throw new Error('its central directory is damaged');
    // 0xFFFFFFFF: the real size is in a ZIP64 field; it is at least 4 GB, which no image here may be.
    entries.push({ name: decoder.decode(zip.subarray(at + 46, at + 46 + nameLength)), size: size === 0xffffffff ? Infinity : size });
    at += 46 + skip;
  }
  return entries;
}

/**
 * The entries of a zip that pass the checks, and the problems with the others. Before anything
 * is inflated, the central directory's entry count and the declared sizes of the images to be
 * read are checked against the archive's budget; while inflating, each entry is checked again
 * as fflate reads it (it never writes more than an entry's declared size).
 */
export function readZip(name: string, zip: Uint8Array): { entries: NamedBytes[]; problems: ArchiveProblem[] } {
  if (zip.length > MAX_ARCHIVE_BYTES) throw new Error(`${name}: ${mb(zip.length)} is over the ${mb(MAX_ARCHIVE_BYTES)} limit`);
  let directory: { name: string; size: number }[] | null;
  try {
    directory = zipDirectory(zip);
  } catch (e) {
    throw new Error(`${name}: not a readable zip archive (${(e as Error).message})`, { cause: e });
  }
  if (directory) {
    const images = directory.filter((d) => entryVerdict(d.name, d.size) === 'ok');
    const declared = images.slice(0, MAX_ENTRIES).reduce((a, d) => a + d.size, 0);
    if (declared > MAX_INFLATED_BYTES)
      throw new Error(
        `${name}: its ${Math.min(images.length, MAX_ENTRIES)} images would inflate to ${mb(declared)}, over the ${mb(MAX_INFLATED_BYTES)} an archive may hold; nothing was read`,
      );
  }
  const problems: ArchiveProblem[] = [];
  let count = 0;
  let inflated = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip, {
      filter: (f: UnzipFileInfo) => {
        const verdict = entryVerdict(f.name, f.originalSize);
        if (verdict === null) return false;
        if (verdict !== 'ok') {
          problems.push({ path: f.name, reason: verdict });
          return false;
        }
        if (++count > MAX_ENTRIES) {
          problems.push({ path: f.name, reason: `more than ${MAX_ENTRIES} images in the archive` });
          return false;
        }
        if ((inflated += f.originalSize) > MAX_INFLATED_BYTES) {
          problems.push({ path: f.name, reason: `the archive's images would inflate to more than ${mb(MAX_INFLATED_BYTES)}` });
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
