/**
 * Decodes a file the user gave, in the worker (the page stays responsive), with limits:
 * at most 20 MB and 8,000 px a side; no SVG (it can carry scripts) and no animation
 * (which frame would be meant?). Each refusal names the file and the reason. The pixels
 * are the command line's (scripts/lib/decodeImage.ts) for every PNG and JPEG: checked by
 * e2e/decoding.spec.ts.
 */
import { decodeJpeg } from '../classify/decodeJpeg';
import { checkImageSide, isAnimated, sniffImage, type Rgba } from '../classify/imageFile';
import { MAX_IMAGE_BYTES as MAX_BYTES, preprocessRgba } from '../maml/omniglot/preprocess';

export async function preprocessFile(name: string, file: Blob): Promise<Float32Array> {
  if (file.size > MAX_BYTES) throw new Error(`${name}: ${(file.size / 1e6).toFixed(1)} MB is over the 20 MB limit`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (file.type === 'image/svg+xml' || sniffImage(bytes) === 'svg') {
    throw new Error(`${name}: SVG images are not accepted (they can carry scripts); use PNG or JPEG`);
  }
  if (isAnimated(bytes)) throw new Error(`${name}: animated images are not accepted; use a single still image`);
  // JPEG through the command line's own decoder (the JPEG standard lets decoders differ by a
  // few levels, and the page and npm run classify must agree); everything else natively.
  const img = sniffImage(bytes) === 'jpeg' ? decodeJpeg(name, bytes) : await decodeNatively(name, bytes);
  try {
    return preprocessRgba(img.data, img.width, img.height).pixels;
  } catch (e) {
    throw new Error(`${name}: ${(e as Error).message}`, { cause: e });
  }
}

/** PNG (every kind decodes as the command line's pngjs does), GIF, WebP, BMP… by the browser. */
async function decodeNatively(name: string, bytes: Uint8Array<ArrayBuffer>): Promise<Rgba> {
  let bitmap: ImageBitmap;
  try {
    // As stored, without colour management (gamma, ICC), as the command line reads it.
    bitmap = await createImageBitmap(new Blob([bytes]), {
      imageOrientation: 'from-image',
      colorSpaceConversion: 'none',
      premultiplyAlpha: 'none',
    });
  } catch {
    throw new Error(`${name}: not a readable image (corrupt, truncated, or not an image at all)`);
  }
  try {
    checkImageSide(name, bitmap.width, bitmap.height);
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    return { width: bitmap.width, height: bitmap.height, data: ctx.getImageData(0, 0, bitmap.width, bitmap.height).data };
  } finally {
    bitmap.close();
  }
}
