/**
 * Turns any image of a character (a drawing on the canvas, a photo of pen on paper, a
 * scan, white chalk on a blackboard) into what the Omniglot network reads: 28x28, ink = 1
 * on paper = 0. Steps: grayscale (transparent pixels count as paper); ink polarity from
 * the border (the border is paper: light paper means dark ink, and the other way round);
 * contrast stretched between paper and the strongest ink; cropped to the ink's bounding
 * box; padded to a square with the character centred, its larger side taking the
 * same share of the frame as in the packed Omniglot drawings (19 of 28 pixels, the
 * median there); area-averaged down to 28x28.
 *
 * Photographed paper (issue 16) first goes through the photo stage (`photoInk`): at a
 * bounded resolution, the paper's uneven light is estimated on a coarse grid and divided
 * out, ink is thresholded relative to the strongest ink and to the paper's noise where it
 * is, and only the character's connected components are kept (not ruled lines, dark corners,
 * a shadow or the table along an edge, specks). Clean images (flat paper, every bit of ink
 * the character's) are read exactly as before.
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

/**
 * Photos larger than this many pixels go through the photo stage box-averaged down to it or
 * fewer, by a whole factor (a 4000x3000 photo by 4, to 1000x750), so its work is bounded
 * whatever the camera.
 */
export const WORK_PIXELS = 1 << 20;
/** Paper is flat (a drawing, a scan) when the lighter 60% of the pixels span at most this. */
const FLAT_SPREAD = 0.04;
/** The paper's light is estimated on a grid of about this many cells along the longer side. */
const GRID_CELLS = 64;
/** Ink covering a whole cell: found by a closing of this radius in cells (ink up to 2R+1 cells wide; wider dark is shadow). */
const CLOSING_RADIUS = 2;
/** A cell is ink, not paper, when the closing lightens it by more than this share. */
const INKED_CELL = 0.2;
/** The light's edge is sharp (a shadow's, the table's) between neighbouring cells whose light differs by more than this share. */
const SHARP_EDGE = 0.25;
/** Ink thresholds, as shares of the strongest ink once the light is divided out: ink from LOW, seeded where HIGH is reached, full from FULL. */
const LOW = 0.35;
const HIGH = 0.55;
const FULL = 0.65;
/** The least ink a character's stroke reaches somewhere: this much darker than the paper around it (ruled lines are lighter). */
const MIN_CONTRAST = 0.25;
/** Ruled lines are looked for up to this tilt, in degrees. */
const MAX_TILT = 6;
/** A component joins the character when it is this share of the character's larger side away, or nearer. */
const REACH = 1;
/** The same for components at the image's border (what is left of shadows, the table, dark corners): nearer. */
const BORDER_REACH = 0.25;

type Polarity = Preprocessed['polarity'];

/** The paper's level: the median of the border, which is paper. */
function borderPaper(gray: Float32Array, width: number, height: number): number {
  const border: number[] = [];
  for (let x = 0; x < width; x++) border.push(gray[x], gray[(height - 1) * width + x]);
  for (let y = 0; y < height; y++) border.push(gray[y * width], gray[y * width + width - 1]);
  return median(border);
}

/** The ink of a clean image: how much darker (or lighter) than the paper, stretched so the strongest ink is 1. */
function cleanInk(gray: Float32Array, paper: number, polarity: Polarity): Float32Array {
  const ink = new Float32Array(gray.length);
  let strongest = 0;
  for (let i = 0; i < ink.length; i++) {
    const v = polarity === 'dark-on-light' ? paper - gray[i] : gray[i] - paper;
    ink[i] = v > 0 ? v : 0;
    if (ink[i] > strongest) strongest = ink[i];
  }
  if (strongest < 0.1) throw new BlankImageError('no ink found: the image is blank or has almost no contrast');
  for (let i = 0; i < ink.length; i++) ink[i] = Math.min(1, ink[i] / strongest);
  return ink;
}

/**
 * The 28x28 input from ink in [0, 1]: cropped to the ink, centred at the drawings' extent,
 * area-averaged; the box is scaled by `sx`, `sy` to the source image.
 */
function frame(ink: Float32Array, width: number, height: number, polarity: Polarity, sx = 1, sy = 1): Preprocessed {
  let x0 = width,
    y0 = height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] >= INK_THRESHOLD) {
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
  const box =
    sx === 1 && sy === 1
      ? { x: x0, y: y0, width: bw, height: bh }
      : {
          x: Math.floor(x0 * sx),
          y: Math.floor(y0 * sy),
          width: Math.min(Math.ceil((x1 + 1) * sx), Math.round(width * sx)) - Math.floor(x0 * sx),
          height: Math.min(Math.ceil((y1 + 1) * sy), Math.round(height * sy)) - Math.floor(y0 * sy),
        };
  return { pixels, polarity, box };
}

/** Quantiles of values in [0, 1] (1024-bin histogram): for each share q, the value below which q of them lie. */
function quantiles(values: Float32Array, qs: number[]): number[] {
  const bins = new Uint32Array(1024);
  for (let i = 0; i < values.length; i++) bins[Math.min(1023, Math.max(0, Math.floor(values[i] * 1024)))]++;
  return qs.map((q) => {
    const want = q * values.length;
    let seen = 0;
    for (let b = 0; b < 1024; b++) {
      seen += bins[b];
      if (seen >= want) return (b + 0.5) / 1024;
    }
    return 1;
  });
}

/** Flat paper: the lighter 60% of the pixels (the darker, for light ink) span at most FLAT_SPREAD. */
function isFlat(gray: Float32Array, polarity: Polarity): boolean {
  if (polarity === 'dark-on-light') {
    const [p40, p99] = quantiles(gray, [0.4, 0.99]);
    return p99 - p40 <= FLAT_SPREAD;
  }
  const [p01, p60] = quantiles(gray, [0.01, 0.6]);
  return p60 - p01 <= FLAT_SPREAD;
}

/** The k-th smallest of the first n values of `a` (which it reorders): Hoare's selection. */
function select(a: Float32Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i++] = a[j];
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k];
}

/** Separable running max (or min) over a (2r+1)-square window, clipped at the edges. */
function rankFilter(src: Float32Array, w: number, h: number, r: number, max: boolean): Float32Array {
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let v = src[y * w + x];
      for (let k = Math.max(0, x - r); k <= Math.min(w - 1, x + r); k++)
        v = max ? Math.max(v, src[y * w + k]) : Math.min(v, src[y * w + k]);
      tmp[y * w + x] = v;
    }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let v = tmp[y * w + x];
      for (let k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++)
        v = max ? Math.max(v, tmp[k * w + x]) : Math.min(v, tmp[k * w + x]);
      out[y * w + x] = v;
    }
  return out;
}

/** Gray box-averaged by the least whole factor that brings it to WORK_PIXELS or fewer (edge cells may be partial). */
function shrink(gray: Float32Array, width: number, height: number): { g: Float32Array; w: number; h: number } {
  const k = Math.max(1, Math.ceil(Math.sqrt((width * height) / WORK_PIXELS)));
  if (k === 1) return { g: gray, w: width, h: height };
  const w = Math.ceil(width / k);
  const h = Math.ceil(height / k);
  const sum = new Float64Array(w * h);
  const col = new Int32Array(width);
  for (let x = 0; x < width; x++) col[x] = Math.floor(x / k);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / k) * w;
    for (let x = 0; x < width; x++) sum[row + col[x]] += gray[y * width + x];
  }
  const g = new Float32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      g[y * w + x] = sum[y * w + x] / ((Math.min(height, (y + 1) * k) - y * k) * (Math.min(width, (x + 1) * k) - x * k));
  return { g, w, h };
}

/** A coarse grid over the image: cells of c pixels a side, and per cell the 10th, 50th and 90th percentiles. */
interface Grid {
  c: number;
  gw: number;
  gh: number;
  p10: Float32Array;
  p50: Float32Array;
  p90: Float32Array;
}

function grid(g: Float32Array, w: number, h: number): Grid {
  const c = Math.max(2, Math.ceil(Math.max(w, h) / GRID_CELLS));
  const gw = Math.ceil(w / c);
  const gh = Math.ceil(h / c);
  const p10 = new Float32Array(gw * gh);
  const p50 = new Float32Array(gw * gh);
  const p90 = new Float32Array(gw * gh);
  const buf = new Float32Array(c * c);
  for (let gy = 0; gy < gh; gy++)
    for (let gx = 0; gx < gw; gx++) {
      let n = 0;
      for (let y = gy * c; y < Math.min(h, (gy + 1) * c); y++)
        for (let x = gx * c; x < Math.min(w, (gx + 1) * c); x++) buf[n++] = g[y * w + x];
      const i = gy * gw + gx;
      p50[i] = select(buf, n, Math.floor(0.5 * (n - 1)));
      p90[i] = select(buf, n, Math.floor(0.9 * (n - 1)));
      p10[i] = select(buf, n, Math.floor(0.1 * (n - 1)));
    }
  return { c, gw, gh, p10, p50, p90 };
}

/** Grid values at every pixel: bilinear between the cells' centres, linear beyond the outer ones (light keeps falling into a dark corner). */
function upsample(values: Float32Array, { c, gw, gh }: Pick<Grid, 'c' | 'gw' | 'gh'>, w: number, h: number): Float32Array {
  const at = (t: number, n: number) => {
    const i0 = n < 2 ? 0 : Math.min(n - 2, Math.max(0, Math.floor(t)));
    return { i0, i1: Math.min(n - 1, i0 + 1), f: n < 2 ? 0 : t - i0 };
  };
  const xs = [];
  for (let x = 0; x < w; x++) xs.push(at((x + 0.5) / c - 0.5, gw));
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const { i0: y0, i1: y1, f: fy } = at((y + 0.5) / c - 0.5, gh);
    for (let x = 0; x < w; x++) {
      const { i0: x0, i1: x1, f: fx } = xs[x];
      const top = values[y0 * gw + x0] * (1 - fx) + values[y0 * gw + x1] * fx;
      const bottom = values[y1 * gw + x0] * (1 - fx) + values[y1 * gw + x1] * fx;
      out[y * w + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/**
 * Which way the ink goes in a photo, whose border may be in shadow (dark corners, a dark
 * stripe): paper is most of the picture and the ink is far from it, so the ink's side is the
 * one whose extreme (the 0.2% darkest or lightest) is clearly further from the median; where
 * neither is, the median's side (light paper, dark ink).
 */
function photoPolarity(g: Float32Array): Polarity {
  const [lo, mid, hi] = quantiles(g, [0.002, 0.5, 0.998]);
  if (Math.abs(mid - lo - (hi - mid)) >= 0.1) return mid - lo > hi - mid ? 'dark-on-light' : 'light-on-dark';
  return mid >= 0.5 ? 'dark-on-light' : 'light-on-dark';
}

/**
 * The paper's light at every pixel (ink dark): per cell, the 90th percentile of its lightness
 * (strokes thinner than a cell are not paper); a cell that a closing (max then min over
 * CLOSING_RADIUS cells) lightens by more than INKED_CELL is covered by ink and takes the mean
 * of the paper cells around it. Gradients, dark corners and shadows wider than the radius at
 * an edge are the paper's light, and are divided out; `sharp` marks the cells where the light
 * changes by more than SHARP_EDGE from a neighbour's (a shadow's edge), whose ink is not read.
 */
function paperLight(paper: Float32Array, cells: Grid, w: number, h: number): { light: Float32Array; sharp: Uint8Array } {
  const { gw, gh } = cells;
  const R = CLOSING_RADIUS;
  const closing = rankFilter(rankFilter(paper, gw, gh, R, true), gw, gh, R, false);
  const inked = (i: number) => paper[i] < (1 - INKED_CELL) * closing[i];
  const filled = new Float32Array(gw * gh);
  for (let gy = 0; gy < gh; gy++)
    for (let gx = 0; gx < gw; gx++) {
      const i = gy * gw + gx;
      if (!inked(i)) {
        filled[i] = paper[i];
        continue;
      }
      let sum = 0;
      let n = 0;
      for (let y = Math.max(0, gy - R); y <= Math.min(gh - 1, gy + R); y++)
        for (let x = Math.max(0, gx - R); x <= Math.min(gw - 1, gx + R); x++)
          if (!inked(y * gw + x)) {
            sum += paper[y * gw + x];
            n++;
          }
      filled[i] = n ? sum / n : closing[i];
    }
  // Cells at a sharp edge of the light (a shadow's, the table's): no ink is read there.
  const { c } = cells;
  const sharp = new Uint8Array(w * h);
  for (let gy = 0; gy < gh; gy++)
    for (let gx = 0; gx < gw; gx++) {
      const v = filled[gy * gw + gx];
      let edge = false;
      for (let y = Math.max(0, gy - 1); y <= Math.min(gh - 1, gy + 1) && !edge; y++)
        for (let x = Math.max(0, gx - 1); x <= Math.min(gw - 1, gx + 1); x++) {
          const u = filled[y * gw + x];
          if (Math.abs(u - v) > SHARP_EDGE * Math.max(u, v)) edge = true;
        }
      if (!edge) continue;
      for (let y = gy * c; y < Math.min(h, (gy + 1) * c); y++) sharp.fill(1, y * w + gx * c, y * w + Math.min(w, (gx + 1) * c));
    }
  return { light: upsample(filled, cells, w, h), sharp };
}

interface Component {
  area: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Its strongest ink, as a share of the seed level there. */
  peak: number;
  border: boolean;
}

/** 8-connected components of `mask`: a label per pixel (0: none, else index + 1) and each one's extent. */
function components(mask: Uint8Array, w: number, h: number, level: Float32Array): { labels: Int32Array; comps: Component[] } {
  const parent: number[] = [0];
  const find = (a: number) => {
    while (parent[a] !== a) a = parent[a] = parent[parent[a]];
    return a;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const labels = new Int32Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!mask[i]) continue;
      let l = x > 0 ? labels[i - 1] : 0;
      if (y > 0) {
        for (const j of [x > 0 ? i - w - 1 : -1, i - w, x < w - 1 ? i - w + 1 : -1]) {
          if (j < 0 || !labels[j]) continue;
          if (!l) l = labels[j];
          else if (labels[j] !== l) union(l, labels[j]);
        }
      }
      if (!l) {
        l = parent.length;
        parent.push(l);
      }
      labels[i] = l;
    }
  const index = new Int32Array(parent.length).fill(-1);
  const comps: Component[] = [];
  for (let i = 0; i < labels.length; i++) {
    if (!labels[i]) continue;
    const root = find(labels[i]);
    if (index[root] < 0) {
      index[root] = comps.length;
      comps.push({ area: 0, x0: w, y0: h, x1: -1, y1: -1, peak: 0, border: false });
    }
    const k = index[root];
    labels[i] = k + 1;
    const c = comps[k];
    const x = i % w;
    const y = (i - x) / w;
    c.area++;
    if (x < c.x0) c.x0 = x;
    if (x > c.x1) c.x1 = x;
    if (y < c.y0) c.y0 = y;
    if (y > c.y1) c.y1 = y;
    if (level[i] > c.peak) c.peak = level[i];
    if (x === 0 || y === 0 || x === w - 1 || y === h - 1) c.border = true;
  }
  return { labels, comps };
}

/**
 * Which components are the character: those seeded with strong ink; not a shadow or the
 * table along an edge (the whole side, thin across it), nor what is left of a
 * dark corner (at the border, and nowhere full ink); not a ruled line (long, straight and
 * thin); grown from the largest by those near it (at the border, nearer still), specks left out.
 */
function characterComponents(comps: Component[], w: number, h: number): Set<number> {
  const candidates: number[] = [];
  comps.forEach((c, k) => {
    if (c.peak < 1) return;
    const cw = c.x1 - c.x0 + 1;
    const ch = c.y1 - c.y0 + 1;
    if (c.border) {
      const alongX = (c.y0 === 0 || c.y1 === h - 1) && c.x0 === 0 && c.x1 === w - 1 && ch <= cw / 3;
      const alongY = (c.x0 === 0 || c.x1 === w - 1) && c.y0 === 0 && c.y1 === h - 1 && cw <= ch / 3;
      if (alongX || alongY || c.peak < FULL / HIGH) return;
    }
    // A line: its length many times its thickness (its area over its length), and straight;
    // across the page (a ruled line's remains), or down all of it (a shadow's edge).
    const long = Math.max(cw, ch);
    const thick = Math.max(1, c.area / long);
    const line = long >= 25 * thick && Math.min(cw, ch) <= 0.15 * long + 2 * thick;
    if (line && (cw >= ch || (c.y0 === 0 && c.y1 === h - 1))) return;
    candidates.push(k);
  });
  if (!candidates.length) return new Set();
  const seed = candidates.reduce((a, b) => (comps[b].area > comps[a].area ? b : a));
  // A speck is no character.
  if (comps[seed].area < Math.max(4, 1e-4 * w * h)) return new Set();
  const kept = new Set([seed]);
  const box = { x0: comps[seed].x0, y0: comps[seed].y0, x1: comps[seed].x1, y1: comps[seed].y1 };
  const minArea = Math.max(3, 0.01 * comps[seed].area);
  for (let grown = true; grown;) {
    grown = false;
    const size = Math.max(box.x1 - box.x0 + 1, box.y1 - box.y0 + 1);
    for (const k of candidates) {
      const c = comps[k];
      if (kept.has(k) || c.area < minArea) continue;
      const gap = Math.max(c.x0 - box.x1, box.x0 - c.x1, c.y0 - box.y1, box.y0 - c.y1, 0);
      if (gap > (c.border ? BORDER_REACH : REACH) * size) continue;
      kept.add(k);
      box.x0 = Math.min(box.x0, c.x0);
      box.y0 = Math.min(box.y0, c.y0);
      box.x1 = Math.max(box.x1, c.x1);
      box.y1 = Math.max(box.y1, c.y1);
      grown = true;
    }
  }
  return kept;
}

/**
 * Ruled paper: finds the tilt (up to MAX_TILT degrees) at which the ink's rows are sharpest,
 * and along the rows at that tilt (across a third of the width or more) the median ink; if at
 * least 3 thin bands of rows have a median over `floor` (a line across most of the page,
 * which a character is not), divides them out of `ink` as part of the paper. Says whether it
 * found lines.
 */
function removeRuledLines(ink: Float32Array, w: number, h: number, floor: number): boolean {
  if (w < 32 || h < 32) return false;
  const step = Math.max(1, Math.floor(w / 128));
  const pad = Math.ceil(w * Math.tan((MAX_TILT * Math.PI) / 180)) + 1;
  const rows = h + 2 * pad;
  const sum = new Float64Array(rows);
  const count = new Float64Array(rows);
  let best = { energy: -1, a: 0, t: 0 };
  const tryTilt = (a: number) => {
    const t = Math.tan((a * Math.PI) / 180);
    sum.fill(0);
    count.fill(0);
    for (let x = 0; x < w; x += step)
      for (let y = 0; y < h; y++) {
        const r = Math.round(y - x * t) + pad;
        sum[r] += ink[y * w + x];
        count[r]++;
      }
    let energy = 0;
    for (let r = 0; r < rows; r++) if (count[r]) energy += (sum[r] * sum[r]) / count[r];
    if (energy > best.energy) best = { energy, a, t };
  };
  // Every degree, then every tenth around the best.
  for (let a = -MAX_TILT; a <= MAX_TILT; a++) tryTilt(a);
  const coarse = best.a;
  for (let k = -6; k <= 6; k++) if (k && Math.abs(coarse + k / 10) <= MAX_TILT) tryTilt(coarse + k / 10);
  // The median ink along each row at that tilt (64-bin histograms).
  const bins = 64;
  const hist = new Uint32Array(rows * bins);
  const n = new Uint32Array(rows);
  const rowOf = (x: number, y: number) => Math.round(y - x * best.t) + pad;
  for (let x = 0; x < w; x += step)
    for (let y = 0; y < h; y++) {
      const r = rowOf(x, y);
      hist[r * bins + Math.min(bins - 1, Math.floor(ink[y * w + x] * bins))]++;
      n[r]++;
    }
  const across = Math.ceil(w / step) / 3;
  const med = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    if (n[r] < across) continue;
    let seen = 0;
    let b = 0;
    while (b < bins - 1 && (seen += hist[r * bins + b]) < n[r] / 2) b++;
    med[r] = b / bins;
  }
  // Thin bands of rows over the floor: at most 2% of the height (and 3 rows) thick.
  const bands: [number, number][] = [];
  for (let r = 0; r < rows; r++) {
    if (med[r] < floor) continue;
    let e = r;
    while (e + 1 < rows && med[e + 1] >= floor) e++;
    if (e - r + 1 <= Math.max(3, 0.02 * h)) bands.push([Math.max(0, r - 1), Math.min(rows - 1, e + 1)]);
    r = e;
  }
  if (bands.length < 3) return false;
  // Each band's strongest median, over the band and a row either side (where the line's edges fall).
  const line = new Float32Array(rows);
  for (const [r0, r1] of bands) {
    let l = 0;
    for (let r = r0; r <= r1; r++) l = Math.max(l, med[r]);
    for (let r = Math.max(0, r0 - 1); r <= Math.min(rows - 1, r1 + 1); r++) line[r] = l;
  }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const l = line[rowOf(x, y)];
      if (l > 0) ink[y * w + x] = Math.max(0, (ink[y * w + x] - l) / (1 - l));
    }
  return true;
}

interface PhotoInk {
  /** Ink in [0, 1] of the character alone, at the working resolution. */
  ink: Float32Array;
  width: number;
  height: number;
  polarity: Polarity;
  /** The character's components' boxes, at the working resolution. */
  boxes: { x0: number; y0: number; x1: number; y1: number }[];
}

/**
 * The photo stage, at most WORK_PIXELS: the paper's light divided out (paper becomes 1
 * everywhere, ink its share of the light it reflects); ink thresholded against the strongest
 * ink and the paper's noise where it is (hysteresis: from LOW, seeded where HIGH is reached);
 * the character's components kept, the rest dropped. Without `polarity`, finds which way the
 * ink goes itself; with `shadows` off (flat paper has none), reads ink at sharp edges of the
 * light too.
 */
function photoInk(gray: Float32Array, width: number, height: number, polarity?: Polarity, shadows = true): PhotoInk {
  const { g, w, h } = shrink(gray, width, height);
  const cells = grid(g, w, h);
  const pol = polarity ?? photoPolarity(g);
  const dark = pol === 'light-on-dark';
  let light = g;
  if (dark) {
    light = new Float32Array(w * h);
    for (let i = 0; i < light.length; i++) light[i] = 1 - g[i];
  }
  const { light: bg, sharp } = paperLight(dark ? cells.p10.map((v) => 1 - v) : cells.p90, cells, w, h);
  const ink = new Float32Array(w * h);
  for (let i = 0; i < ink.length; i++) ink[i] = bg[i] > 0.02 && !(shadows && sharp[i]) ? Math.min(1, Math.max(0, 1 - light[i] / bg[i])) : 0;
  // The paper's noise in gray levels (robust: the median absolute deviation of how much darker
  // than its light each pixel is, most being paper); in ink terms it grows where the light is dim.
  const step = Math.max(1, Math.floor(ink.length / 65536));
  const sample = new Float32Array(Math.ceil(ink.length / step));
  for (let k = 0; k < sample.length; k++) sample[k] = Math.min(1, Math.max(0, 0.5 + bg[k * step] - light[k * step]));
  const [mid] = quantiles(sample, [0.5]);
  for (let k = 0; k < sample.length; k++) sample[k] = Math.abs(sample[k] - mid);
  const sigma = 1.4826 * quantiles(sample, [0.5])[0];
  const bias = mid - 0.5;
  removeRuledLines(ink, w, h, Math.max(0.05, (bias + 3 * sigma) / Math.max(0.02, quantiles(bg, [0.5])[0])));
  // The strongest ink: the largest 3x3 mean, past single noisy pixels.
  let strongest = 0;
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const m =
        (ink[i - w - 1] + ink[i - w] + ink[i - w + 1] + ink[i - 1] + ink[i] + ink[i + 1] + ink[i + w - 1] + ink[i + w] + ink[i + w + 1]) /
        9;
      if (m > strongest) strongest = m;
    }
  if (w < 3 || h < 3) strongest = ink.reduce((a, b) => Math.max(a, b), 0);
  if (strongest < 0.1) throw new BlankImageError('no ink found: the image is blank or has almost no contrast');
  // Ink from LOW of the strongest and 4 noise deviations; seeded where HIGH, 6 deviations and MIN_CONTRAST are reached.
  const mask = new Uint8Array(w * h);
  const level = new Float32Array(w * h);
  const low = new Float32Array(w * h);
  for (let i = 0; i < mask.length; i++) {
    const b = Math.max(bg[i], 0.02);
    low[i] = Math.max(LOW * strongest, (bias + 4 * sigma) / b);
    mask[i] = ink[i] >= low[i] ? 1 : 0;
    level[i] = ink[i] / Math.max(HIGH * strongest, (bias + 6 * sigma) / b, MIN_CONTRAST);
  }
  const { labels, comps } = components(mask, w, h, level);
  const kept = characterComponents(comps, w, h);
  if (!kept.size) throw new BlankImageError('no ink found: the image is blank');
  const out = new Float32Array(w * h);
  const full = FULL * strongest;
  for (let i = 0; i < out.length; i++)
    if (labels[i] && kept.has(labels[i] - 1)) out[i] = Math.min(1, (ink[i] - low[i]) / Math.max(full - low[i], 0.05));
  return { ink: out, width: w, height: h, polarity: pol, boxes: [...kept].map((k) => comps[k]) };
}

/** Whether every bit of `ink` that survives as ink (at the source's size) lies in the photo stage's boxes, widened by 2 pixels. */
function inkInBoxes(ink: Float32Array, width: number, height: number, photo: PhotoInk): boolean {
  const sx = width / photo.width;
  const sy = height / photo.height;
  const margin = 2;
  const inside = new Uint8Array(width * height);
  for (const b of photo.boxes) {
    const x0 = Math.max(0, Math.floor(b.x0 * sx) - margin);
    const x1 = Math.min(width - 1, Math.ceil((b.x1 + 1) * sx) - 1 + margin);
    const y0 = Math.max(0, Math.floor(b.y0 * sy) - margin);
    const y1 = Math.min(height - 1, Math.ceil((b.y1 + 1) * sy) - 1 + margin);
    for (let y = y0; y <= y1; y++) inside.fill(1, y * width + x0, y * width + x1 + 1);
  }
  for (let i = 0; i < ink.length; i++) if (ink[i] >= INK_THRESHOLD / 2 && !inside[i]) return false;
  return true;
}

/**
 * Grayscale in [0, 1] to the network's input. A clean image (flat paper: a drawing, the draw
 * pad, a scan) whose ink the photo stage finds to be all the character's is read as it always
 * was, bit for bit; any other (uneven light, ruled paper, noise, shadows, specks) from the
 * photo stage.
 */
export function preprocessGray(gray: Float32Array, width: number, height: number): Preprocessed {
  if (width < 1 || height < 1) throw new BlankImageError('the image is empty (0 pixels)');
  const paper = borderPaper(gray, width, height);
  const polarity = paper >= 0.5 ? 'dark-on-light' : 'light-on-dark';
  const fromPhoto = (photo: PhotoInk) =>
    frame(photo.ink, photo.width, photo.height, photo.polarity, width / photo.width, height / photo.height);
  if (isFlat(gray, polarity)) {
    const ink = cleanInk(gray, paper, polarity);
    let photo: PhotoInk | null = null;
    try {
      photo = photoInk(gray, width, height, polarity, false);
    } catch (e) {
      if (!(e instanceof BlankImageError)) throw e;
    }
    return !photo || inkInBoxes(ink, width, height, photo) ? frame(ink, width, height, polarity) : fromPhoto(photo);
  }
  return fromPhoto(photoInk(gray, width, height));
}

export function preprocessRgba(rgba: ArrayLike<number>, width: number, height: number): Preprocessed {
  return preprocessGray(toGray(rgba, width, height), width, height);
}
