/**
 * What an image file is, read from its bytes alone, shared by the page's worker and the
 * command line: the format (PNG, JPEG, GIF, SVG), whether it is animated, and the EXIF
 * orientation a camera wrote into a JPEG (which browsers apply when they draw it, so the
 * command line applies it too). Pure: no DOM, no Node.
 */

import { MAX_IMAGE_SIDE } from '../maml/omniglot/preprocess';

/** A file that cannot be used, with a message that names it and says why. */
export class ImageInputError extends Error {}

/** Throws, naming the file, for an image over 8,000 px a side or with no pixels: the same words on the page and the command line. */
export function checkImageSide(name: string, width: number, height: number) {
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE)
    throw new ImageInputError(`${name}: ${width}×${height} px is over the ${MAX_IMAGE_SIDE} px limit`);
  if (width < 1 || height < 1) throw new ImageInputError(`${name}: the image is empty (${width}×${height} px)`);
}

export type ImageKind = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'svg';

export interface Rgba {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

const ascii = (bytes: Uint8Array, i: number, n: number) => String.fromCharCode(...bytes.subarray(i, i + n));
/** The big-endian 32-bit number at i (PNG chunk lengths and sizes, Motorola-order TIFF). */
const be32 = (bytes: Uint8Array, i: number) => ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;

/** The format by the file's first bytes (never by its name), or null when it is none of these. */
export function sniffImage(bytes: Uint8Array): ImageKind | null {
  if (bytes.length >= 8 && bytes[0] === 0x89 && ascii(bytes, 1, 3) === 'PNG') return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 6 && (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a')) return 'gif';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'webp';
  if (bytes.length >= 2 && ascii(bytes, 0, 2) === 'BM') return 'bmp';
  const head = new TextDecoder().decode(bytes.subarray(0, 512)).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'svg';
  return null;
}

/** Number of frames of a GIF, read from its block structure (image descriptors), or 0 when it is not a GIF. */
export function gifFrames(bytes: Uint8Array): number {
  if (ascii(bytes, 0, 3) !== 'GIF' || bytes.length < 13) return 0;
  // Header (6), logical screen descriptor (7), then the global colour table if flagged.
  let i = 13;
  if (bytes[10] & 0x80) i += 3 << ((bytes[10] & 0x07) + 1);
  const skipSubBlocks = () => {
    while (i < bytes.length && bytes[i] !== 0) i += bytes[i] + 1;
    i++; // the terminator
  };
  let frames = 0;
  while (i < bytes.length) {
    const block = bytes[i];
    if (block === 0x3b) break; // trailer
    if (block === 0x21) {
      i += 2; // introducer and label
      skipSubBlocks();
    } else if (block === 0x2c) {
      frames++;
      const flags = bytes[i + 9];
      i += 10;
      if (flags & 0x80) i += 3 << ((flags & 0x07) + 1); // local colour table
      i++; // LZW minimum code size
      skipSubBlocks();
    } else break; // not a block: a corrupt file, left to the decoder
  }
  return frames;
}

/** An animated GIF (more than one frame) or an animated PNG (an acTL chunk before the image data). */
export function isAnimated(bytes: Uint8Array): boolean {
  if (gifFrames(bytes) > 1) return true;
  if (sniffImage(bytes) === 'png') {
    for (let i = 8; i + 8 <= bytes.length;) {
      const len = be32(bytes, i);
      const type = ascii(bytes, i + 4, 4);
      if (type === 'acTL') return true;
      if (type === 'IDAT' || type === 'IEND') return false;
      i += 12 + len;
    }
  }
  return false;
}

/** A PNG's width and height from its header (IHDR), before anything is inflated; null if the header is cut. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24 || ascii(bytes, 12, 4) !== 'IHDR') return null;
  return { width: be32(bytes, 16), height: be32(bytes, 20) };
}

/**
 * The EXIF orientation (1 to 8) of a JPEG, from the APP1 "Exif" segment's first image
 * directory (tag 0x0112); 1 (as stored) when there is none or it cannot be read.
 */
export function jpegOrientation(bytes: Uint8Array): number {
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1];
    if (marker === 0xda || marker === 0xd9) break; // start of scan, end of image: no more headers
    const len = (bytes[i + 2] << 8) | bytes[i + 3];
    if (marker === 0xe1 && ascii(bytes, i + 4, 6) === 'Exif\0\0') {
      const t = i + 10; // the TIFF header
      const little = ascii(bytes, t, 2) === 'II';
      const u16 = (p: number) => (little ? bytes[p] | (bytes[p + 1] << 8) : (bytes[p] << 8) | bytes[p + 1]);
      const u32 = (p: number) =>
        little ? (bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> 0 : be32(bytes, p);
      const ifd = t + u32(t + 4);
      if (ifd + 2 > Math.min(bytes.length, i + 2 + len)) return 1;
      const entries = u16(ifd);
      for (let e = 0; e < entries; e++) {
        const p = ifd + 2 + 12 * e;
        if (p + 12 > bytes.length) return 1;
        if (u16(p) === 0x0112) {
          const o = u16(p + 8);
          return o >= 1 && o <= 8 ? o : 1;
        }
      }
      return 1;
    }
    i += 2 + len;
  }
  return 1;
}

/** The image as it is meant to be seen: EXIF orientation `o` applied (2-8 mirror and rotate; 1 is as stored). */
export function orient(img: Rgba, o: number): Rgba {
  if (o <= 1 || o > 8) return img;
  const { width: w, height: h, data } = img;
  const swap = o >= 5;
  const W = swap ? h : w;
  const H = swap ? w : h;
  const out = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // The stored pixel shown at (x, y).
      let sx: number, sy: number;
      switch (o) {
        case 2:
          sx = w - 1 - x;
          sy = y;
          break; // mirrored left-right
        case 3:
          sx = w - 1 - x;
          sy = h - 1 - y;
          break; // turned 180°
        case 4:
          sx = x;
          sy = h - 1 - y;
          break; // mirrored top-bottom
        case 5:
          sx = y;
          sy = x;
          break; // transposed
        case 6:
          sx = y;
          sy = h - 1 - x;
          break; // turned 90° clockwise
        case 7:
          sx = w - 1 - y;
          sy = h - 1 - x;
          break; // transversed
        default:
          sx = w - 1 - y;
          sy = x; // 8: turned 90° anticlockwise
      }
      out.set(data.subarray(4 * (sy * w + sx), 4 * (sy * w + sx) + 4), 4 * (y * W + x));
    }
  }
  return { width: W, height: H, data: out };
}
