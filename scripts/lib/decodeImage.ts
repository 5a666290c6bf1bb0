/**
 * The one image decoder of every Node path (npm run pack-omniglot, npm run classify, the
 * tests): PNG of every colour type and bit depth (1, 2, 4, 8, 16 bits; gray, gray+alpha,
 * RGB, RGBA, palette; Adam7-interlaced; tRNS transparency) through pngjs (16-bit samples to
 * their high byte, as browsers do), and JPEG (baseline, progressive, grayscale) through
 * src/classify/decodeJpeg.ts, the page's worker's JPEG decoder too, with the EXIF orientation. Everything becomes 8-bit RGBA, not premultiplied, as a canvas's
 * getImageData gives it in the page's worker. Limits are the page's (20 MB, 8,000 px a
 * side), checked before anything is inflated; every refusal names the file and the reason.
 */
import { PNG } from 'pngjs';
import { decodeJpeg } from '../../src/classify/decodeJpeg';
import { checkImageSide, ImageInputError, isAnimated, pngSize, sniffImage, type Rgba } from '../../src/classify/imageFile';
import { MAX_IMAGE_BYTES as MAX_FILE_BYTES } from '../../src/maml/omniglot/preprocess';

export { ImageInputError, type Rgba };

/** Decodes a PNG or JPEG (by its content, not its name); throws ImageInputError naming the file and the reason. */
export function decodeImage(name: string, bytes: Uint8Array): Rgba {
  if (bytes.length > MAX_FILE_BYTES) throw new ImageInputError(`${name}: ${(bytes.length / 1e6).toFixed(1)} MB is over the 20 MB limit`);
  const kind = sniffImage(bytes);
  if (kind !== 'png' && kind !== 'jpeg')
    throw new ImageInputError(`${name}: not a PNG or JPEG image${kind ? ` (it is ${kind.toUpperCase()})` : ''}`);
  if (isAnimated(bytes)) throw new ImageInputError(`${name}: animated images are not accepted; use a single still image`);
  try {
    if (kind === 'png') {
      const size = pngSize(bytes);
      if (!size) throw new ImageInputError(`${name}: the PNG data is corrupt or truncated (no image header)`);
      checkImageSide(name, size.width, size.height);
      // pngjs expands every colour type and depth to RGBA. 16-bit samples keep their high byte,
      // as browsers (libpng's strip_16) do, rather than pngjs's rounding.
      const sixteen = bytes[24] === 16;
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: sixteen });
      const data = sixteen
        ? Uint8ClampedArray.from(png.data as unknown as Uint16Array, (v) => v >> 8)
        : new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.byteLength);
      return { width: png.width, height: png.height, data };
    }
    return decodeJpeg(name, bytes);
  } catch (e) {
    if (e instanceof ImageInputError) throw e;
    throw new ImageInputError(`${name}: the ${kind.toUpperCase()} data is corrupt or truncated (${(e as Error).message})`);
  }
}
