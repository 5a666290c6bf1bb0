/**
 * Turns any image of a character (a drawing on the canvas, a photo of pen on paper, a
 * scan, white chalk on a blackboard) into what the Omniglot network reads: 28x28, ink = 1
 * on paper = 0. Steps: grayscale (transparent pixels count as paper); ink polarity from
 * the border (the border is paper: light paper means dark ink, and the other way round);
 * contrast stretched between paper and the strongest ink; cropped to the ink's bounding
 * box; padded to a square with the character centred, its larger side taking the
 * same share of the frame as in the packed Omniglot drawings (19 of 28 pixels, the
 * median there); area-averaged down to 28x28.
 */
import { areaResize } from './areaResize';
import { OMNIGLOT_SIZE } from './pack';

/** Limits on images people give (files and archive entries): bytes, and pixels a side. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
export const MAX_IMAGE_SIDE = 8000;

/** Median extent of a character's ink in the packed 28x28 Omniglot drawings. */
export const INK_EXTENT = 19;
/** Ink below this (after the contrast stretch) is paper noise. */
const INK_THRESHOLD = 0.25;
/**
 * The least ink, in fully inked pixels of the 28x28 input, that a character may have: less is
 * refused like a blank image (a hairline in a huge image shrinks to almost nothing). The least
 * inked of the 4,840 Omniglot drawings has 13.7, the median 62.
 */
export const MIN_INK = 4;

export interface Preprocessed {
  pixels: Float32Array;
  /** 'dark-on-light' or 'light-on-dark'. */
  polarity: 'dark-on-light' | 'light-on-dark';
  /** The ink's bounding box in the source image. */
  box: { x: number; y: number; width: number; height: number };
}

export class BlankImageError extends Error {}

/** Luminance in [0, 1] of RGBA pixels, composited on white paper. */
export function toGray(rgba: ArrayLike<number>, width: number, height: number): Float32Array {
  const gray = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const a = rgba[4 * i + 3] / 255;
    const lum = (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) / 255;
    gray[i] = a * lum + (1 - a);
  }
  return gray;
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function preprocessGray(gray: Float32Array, width: number, height: number): Preprocessed {
  if (width < 1 || height < 1) throw new BlankImageError('the image is empty (0 pixels)');
  const border: number[] = [];
  for (let x = 0; x < width; x++) border.push(gray[x], gray[(height - 1) * width + x]);
  for (let y = 0; y < height; y++) border.push(gray[y * width], gray[y * width + width - 1]);
  const paper = median(border);
  const polarity = paper >= 0.5 ? 'dark-on-light' : 'light-on-dark';
  const ink = new Float32Array(width * height);
  let strongest = 0;
  for (let i = 0; i < ink.length; i++) {
    const v = polarity === 'dark-on-light' ? paper - gray[i] : gray[i] - paper;
    ink[i] = v > 0 ? v : 0;
    if (ink[i] > strongest) strongest = ink[i];
  }
  if (strongest < 0.1) throw new BlankImageError('no ink found: the image is blank or has almost no contrast');
  let x0 = width,
    y0 = height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      ink[i] = Math.min(1, ink[i] / strongest);
      if (ink[i] >= INK_THRESHOLD) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) throw new BlankImageError('no ink found: the image is blank');
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  // A square frame around the box's centre, the box's larger side taking INK_EXTENT of 28.
  const side = Math.max(2, Math.ceil((Math.max(bw, bh) * OMNIGLOT_SIZE) / INK_EXTENT));
  const cx = x0 + bw / 2;
  const cy = y0 + bh / 2;
  const left = Math.round(cx - side / 2);
  const top = Math.round(cy - side / 2);
  // Paper noise to paper, then the square area-averaged straight from the image.
  for (let i = 0; i < ink.length; i++) if (ink[i] < INK_THRESHOLD / 2) ink[i] = 0;
  const pixels = areaResize(ink, width, height, OMNIGLOT_SIZE, OMNIGLOT_SIZE, { left, top, size: side });
  const total = pixels.reduce((s, v) => s + v, 0);
  if (total < MIN_INK) {
    throw new BlankImageError(
      `too little ink to classify: at 28×28 the character holds ${total.toFixed(1)} pixels of ink (at least ${MIN_INK}); draw it larger or with thicker strokes`,
    );
  }
  return { pixels, polarity, box: { x: x0, y: y0, width: bw, height: bh } };
}

export function preprocessRgba(rgba: ArrayLike<number>, width: number, height: number): Preprocessed {
  return preprocessGray(toGray(rgba, width, height), width, height);
}
