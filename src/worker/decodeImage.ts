/**
 * Decodes a file the user gave, in the worker (the page stays responsive), with limits:
 * at most 20 MB and 8,000 px a side; no SVG (it can carry scripts) and no animation
 * (which frame would be meant?). Each refusal names the file and the reason.
 */
import { isAnimated, sniffImage } from '../classify/imageFile';
import { MAX_IMAGE_BYTES as MAX_BYTES, MAX_IMAGE_SIDE as MAX_SIDE, preprocessRgba } from '../maml/data/preprocess';

export async function preprocessFile(name: string, file: Blob): Promise<Float32Array> {
  if (file.size > MAX_BYTES) throw new Error(`${name}: ${(file.size / 1e6).toFixed(1)} MB is over the 20 MB limit`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (file.type === 'image/svg+xml' || sniffImage(bytes) === 'svg') {
    throw new Error(`${name}: SVG images are not accepted (they can carry scripts); use PNG or JPEG`);
  }
  if (isAnimated(bytes)) throw new Error(`${name}: animated images are not accepted; use a single still image`);
  let bitmap: ImageBitmap;
  try {
    // As stored, without colour management (gamma, ICC), but turned as its EXIF orientation
    // says: what the command line's decoder (scripts/lib/decodeImage.ts) gives too.
    bitmap = await createImageBitmap(new Blob([bytes]), { imageOrientation: 'from-image', colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
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
