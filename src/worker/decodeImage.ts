/**
 * Decodes a file the user gave, in the worker (the page stays responsive), with limits:
 * at most 20 MB and 8,000 px a side; no SVG (it can carry scripts) and no animation
 * (which frame would be meant?). Each refusal names the file and the reason.
 */
import { MAX_IMAGE_BYTES as MAX_BYTES, MAX_IMAGE_SIDE as MAX_SIDE, preprocessRgba } from '../maml/data/preprocess';

/** An animated GIF (more than one image descriptor) or an animated PNG (acTL chunk). */
export function isAnimated(bytes: Uint8Array): boolean {
  const ascii = (i: number, n: number) => String.fromCharCode(...bytes.subarray(i, i + n));
  if (ascii(0, 3) === 'GIF') {
    let frames = 0;
    for (let i = 0; i + 1 < bytes.length; i++) if (bytes[i] === 0x00 && bytes[i + 1] === 0x2c && ++frames > 1) return true;
    return false;
  }
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
