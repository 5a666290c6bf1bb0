/**
 * Folders of the user's images for the command line (npm run classify, npm run export-model
 * --format layers): a query folder of images, and a support folder with one sub-folder per
 * class (the folder name is the class) of 1 to 5 examples. Images are read with the one
 * decoder (decodeImage.ts) and preprocessed as the page does; a file that cannot be read is
 * reported through `warn`, naming it, and skipped; a folder that cannot be used is `fail`ed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { preprocessRgba } from '../../src/maml/omniglot/preprocess';
import { FEW_SHOT_LIMITS } from '../../src/maml/omniglot/fewShotClassify';
import { decodeImage } from './decodeImage';

const IMAGE = /\.(png|jpe?g)$/i;

export interface FolderImage {
  name: string;
  pixels: Float32Array;
}

/** Preprocessed images of a folder; unreadable ones are reported and skipped. */
export function readImages(dir: string, warn: (message: string) => void): FolderImage[] {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    if (!IMAGE.test(name)) {
      warn(`${path}: skipped, not a .png, .jpg or .jpeg file`);
      continue;
    }
    try {
      const img = decodeImage(path, new Uint8Array(readFileSync(path)));
      out.push({ name, pixels: preprocessRgba(img.data, img.width, img.height).pixels });
    } catch (e) {
      warn(`${(e as Error).message.startsWith(path) ? '' : `${path}: `}${(e as Error).message}`);
    }
  }
  return out;
}

/** Fails unless `dir` is a folder. */
export function requireFolder(dir: string, fail: (message: string) => never) {
  try {
    if (!statSync(dir).isDirectory()) fail(`${dir} is not a folder`);
  } catch {
    fail(`${dir} does not exist`);
  }
}

/** The classes of a support folder, in name order, each with its usable examples. */
export function readSupport(dir: string, warn: (message: string) => void, fail: (message: string) => never) {
  requireFolder(dir, fail);
  const classDirs = readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isDirectory())
    .sort();
  const { classes: lim, examples: per } = FEW_SHOT_LIMITS;
  if (classDirs.length < 2) fail(`${dir} needs at least 2 class sub-folders, it has ${classDirs.length}`);
  if (classDirs.length > lim.max) fail(`${dir} has ${classDirs.length} classes; the model serves ${lim.min} to ${lim.max}`);
  const classes = classDirs.map((c) => ({ name: c, images: readImages(join(dir, c), warn) }));
  for (const c of classes) {
    if (c.images.length === 0) fail(`class "${c.name}" has no usable examples`);
    if (c.images.length > per.max) fail(`class "${c.name}" has ${c.images.length} examples; the model takes ${per.min} to ${per.max}`);
  }
  return classes;
}
