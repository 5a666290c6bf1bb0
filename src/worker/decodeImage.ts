/**
 * Decodes a file the user gave, in the worker (the page stays responsive), with limits:
 * at most 20 MB and 8,000 px a side; no SVG (it can carry scripts) and no animation
 * (which frame would be meant?). Each refusal names the file and the reason.
 */
import { MAX_IMAGE_BYTES as MAX_BYTES, MAX_IMAGE_SIDE as MAX_SIDE, preprocessRgba } from '../maml/data/preprocess';

/** Number of frames of a GIF, read from its block structure (image descriptors), or 0 when it is not a GIF. */
export function gifFrames(bytes: Uint8Array): number {
  if (String.fromCharCode(...bytes.subarray(0, 3)) !== 'GIF' || bytes.length < 13) return 0;
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
  const ascii = (i: number, n: number) => String.fromCharCode(...bytes.subarray(i, i + n));
  if (bytes[0] === 0x89 && ascii(1, 3) === 'PNG') {
    for (let i = 8; i + 8 <= bytes.length; ) {
      const len = ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;
      const type = ascii(i + 4, 4);
      if (type === 'acTL') return true;
      if (type === 'IDAT' || type === 'IEND') return false;
      i += 12 + len;
    }
  }
  return false;
}

export async function preprocessFile(name: string, file: Blob): Promise<Float32Array> {
  if (file.size > MAX_BYTES) throw new Error(`${name}: ${(file.size / 1e6).toFixed(1)} MB is over the 20 MB limit`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  const head = new TextDecoder().decode(bytes.subarray(0, 512)).trimStart().toLowerCase();
  if (file.type === 'image/svg+xml' || head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) {
    throw new Error(`${name}: SVG images are not accepted (they can carry scripts); use PNG or JPEG`);
  }
  if (isAnimated(bytes)) throw new Error(`${name}: animated images are not accepted; use a single still image`);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes]));
  } catch {
    throw new Error(`${name}: not a readable image (corrupt, truncated, or not an image at all)`);
  }
  try {
    if (bitmap.width > MAX_SIDE || bitmap.height > MAX_SIDE) throw new Error(`${name}: ${bitmap.width}×${bitmap.height} px is over the ${MAX_SIDE} px limit`);
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    try {
      return preprocessRgba(data, bitmap.width, bitmap.height).pixels;
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    }
  } finally {
    bitmap.close();
  }
}
