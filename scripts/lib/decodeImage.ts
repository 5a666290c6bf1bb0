/** PNG and JPEG files to RGBA for the command line, with the same limits as the page. */
import { decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';

import { MAX_IMAGE_BYTES as MAX_FILE_BYTES, MAX_IMAGE_SIDE as MAX_SIDE } from '../../src/maml/data/preprocess';

export interface Rgba {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export class ImageInputError extends Error {}

function sniff(bytes: Uint8Array): 'png' | 'jpeg' | null {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return null;
}

/** Decodes a PNG or JPEG (by its content, not its name); throws ImageInputError naming the file and the reason. */
export function decodeImage(name: string, bytes: Uint8Array): Rgba {
  if (bytes.length > MAX_FILE_BYTES) throw new ImageInputError(`${name}: ${(bytes.length / 1e6).toFixed(1)} MB is over the 20 MB limit`);
  const kind = sniff(bytes);
  if (!kind) throw new ImageInputError(`${name}: not a PNG or JPEG image`);
  try {
    if (kind === 'png') {
      const img = decodePng(bytes);
      if (img.width > MAX_SIDE || img.height > MAX_SIDE) throw new ImageInputError(`${name}: ${img.width}x${img.height} is over the ${MAX_SIDE} px limit`);
      const { width, height, channels, depth } = img;
      const max = (1 << depth) - 1;
      const src = img.data as ArrayLike<number>;
      const out = new Uint8ClampedArray(width * height * 4);
      const palette = img.palette;
      for (let i = 0; i < width * height; i++) {
        let r: number, g: number, b: number, a = 255;
        if (palette) {
          [r, g, b, a = 255] = palette[src[i]] as number[];
        } else if (channels >= 3) {
          r = (src[i * channels] / max) * 255;
          g = (src[i * channels + 1] / max) * 255;
          b = (src[i * channels + 2] / max) * 255;
          if (channels === 4) a = (src[i * channels + 3] / max) * 255;
        } else {
          r = g = b = (src[i * channels] / max) * 255;
          if (channels === 2) a = (src[i * channels + 1] / max) * 255;
        }
        out.set([r, g, b, a], 4 * i);
      }
      return { width, height, data: out };
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 64, maxMemoryUsageInMB: 512 });
    if (img.width > MAX_SIDE || img.height > MAX_SIDE) throw new ImageInputError(`${name}: ${img.width}x${img.height} is over the ${MAX_SIDE} px limit`);
    return { width: img.width, height: img.height, data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength) };
  } catch (e) {
    if (e instanceof ImageInputError) throw e;
    throw new ImageInputError(`${name}: the ${kind.toUpperCase()} data is corrupt or truncated (${(e as Error).message})`);
  }
}
