/**
 * JPEG to RGBA for both the page's worker and the command line, so the two read a JPEG to
 * the same pixels (browsers' native decoders and jpeg-js may differ by a few levels, as the
 * JPEG standard allows): jpeg-js (baseline, progressive, grayscale; chroma-subsampled), with
 * the EXIF orientation applied as a browser applies it. Pure JavaScript: no DOM, no Node.
 */
import jpeg from 'jpeg-js';
import { checkImageSide, ImageInputError, jpegOrientation, orient, type Rgba } from './imageFile';

export function decodeJpeg(name: string, bytes: Uint8Array): Rgba {
  let img;
  try {
    // jpeg-js refuses, before allocating, a frame over 64 megapixels (8,000 px a side).
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 64, maxMemoryUsageInMB: 512 });
  } catch (e) {
    throw new ImageInputError(`${name}: the JPEG data is corrupt or truncated (${(e as Error).message})`);
  }
  checkImageSide(name, img.width, img.height);
  const rgba = {
    width: img.width,
    height: img.height,
    data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength),
  };
  return orient(rgba, jpegOrientation(bytes));
}
