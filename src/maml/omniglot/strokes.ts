/**
 * Re-rendering Omniglot drawings from their pen strokes (the official strokes_* files, Lake et
 * al. 2015): each drawing is a list of strokes, each a polyline in the 105x105 image plane. The
 * renderer draws them with a round pen into the pack's 28x28 form (ink = 255, each pixel the ink
 * share of its area, as the pack's area-averaged downsampling of the official images gives), so a
 * drawing rendered as it is matches its packed image; with jitter it is the same character drawn
 * again: another pen width, each stroke moved a little, and the strokes bent by a smooth random
 * displacement field. A meta-training augmentation (EpisodeSpec.strokes).
 */
import type { Rng } from '../random';
import { OMNIGLOT_SIZE } from './pack';

/** One stroke: x, y pairs in the 105x105 image plane (x right, y down, pixel centres at i + 0.5). */
export type Stroke = Float32Array;
export type Drawing = Stroke[];

/** The official images' side. */
export const STROKE_CANVAS = 105;
/** The pen's radius, in 105-pixel units, that makes a rendered drawing match its official image (fitted on the shared files, `strokes.test.ts`). */
export const PEN_RADIUS = 2.4;

/**
 * Parses one official strokes file: "START", then per stroke lines "x,y,t" closed by "BREAK",
 * and "END" (y is negative: the image row is -y; both are pixel indices, whose centres lie at
 * index + 0.5 in the plane). Throws, naming the file, on anything else.
 */
export function parseStrokes(text: string, name = 'strokes file'): Drawing {
  const strokes: Drawing = [];
  let points: number[] = [];
  let started = false;
  let ended = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || ended) continue;
    if (line === 'START') {
      started = true;
      continue;
    }
    if (!started) throw new Error(`${name}: line ${i + 1}: expected START, read "${line.slice(0, 40)}"`);
    if (line === 'BREAK' || line === 'END') {
      if (points.length) strokes.push(Float32Array.from(points));
      points = [];
      ended = line === 'END';
      continue;
    }
    const parts = line.split(',');
    const x = Number(parts[0]);
    const y = Number(parts[1]);
    if (parts.length < 2 || !Number.isFinite(x) || !Number.isFinite(y))
      throw new Error(`${name}: line ${i + 1}: expected "x,y,time", read "${line.slice(0, 40)}"`);
    points.push(x + 0.5, -y + 0.5);
  }
  if (!started) throw new Error(`${name}: no START line: not an Omniglot strokes file`);
  if (points.length) strokes.push(Float32Array.from(points));
  return strokes;
}

/** How a drawing is drawn again: 0 gives the drawing as it is. */
export interface StrokeJitter {
  /** The pen's radius as a multiple of PEN_RADIUS. */
  pen: number;
  /** A whole-stroke offset of each stroke, up to this many 105-pixel units in x and y. */
  strokeShift: number;
  /** The amplitude, in 105-pixel units, of a smooth displacement field that bends all strokes. */
  bend: number;
}

/** A random way of drawing again at strength k (0: none; 1: pen 0.6-1.6x, strokes moved up to 3 px, bent up to about 3 px, of 105). */
export function randomJitter(rng: Rng, k: number): StrokeJitter & { field: number[] } {
  const u = () => 2 * rng.next() - 1;
  // The displacement field: two low-frequency waves per axis, random phase and direction.
  const field: number[] = [];
  for (let i = 0; i < 4; i++) field.push(u() * Math.PI, 2 * Math.PI * (0.5 + rng.next()) * (rng.next() < 0.5 ? -1 : 1), u(), u());
  return { pen: Math.exp(u() * 0.5 * k), strokeShift: 3 * k, bend: 1.5 * k, field };
}

/**
 * Renders a drawing into `out` (784 bytes, zeroed first): a round pen of radius
 * PEN_RADIUS * jitter.pen along every segment, each 28x28 pixel the covered share of its area
 * (4x4 samples), ink = 255.
 */
export function renderDrawing(drawing: Drawing, out: Uint8Array, rng?: Rng, jitter?: StrokeJitter & { field?: number[] }) {
  const n = OMNIGLOT_SIZE;
  const sub = 4;
  const grid = n * sub;
  const scale = grid / STROKE_CANVAS; // 105-plane units to sample units
  const hits = (samples ??= new Uint8Array(grid * grid)).fill(0);
  const r = PEN_RADIUS * (jitter?.pen ?? 1) * scale;
  const r2 = r * r;
  const field = jitter?.field;
  const bend = (jitter?.bend ?? 0) * scale;
  const shift = jitter?.strokeShift ?? 0;
  for (const stroke of drawing) {
    const dx = shift && rng ? (2 * rng.next() - 1) * shift * scale : 0;
    const dy = shift && rng ? (2 * rng.next() - 1) * shift * scale : 0;
    const m = stroke.length / 2;
    const px = new Float32Array(m);
    const py = new Float32Array(m);
    for (let i = 0; i < m; i++) {
      let x = stroke[2 * i] * scale + dx;
      let y = stroke[2 * i + 1] * scale + dy;
      if (field && bend) {
        // Smooth bending: each axis moved by two waves over the plane (wavelengths of 0.7 to 2 canvases).
        const ux = x / grid;
        const uy = y / grid;
        let ox = 0;
        let oy = 0;
        for (let w = 0; w < 2; w++) {
          const [ph, f, cx, cy] = field.slice(4 * w, 4 * w + 4);
          ox += Math.sin(ph + f * (cx * ux + cy * uy));
          const [ph2, f2, cx2, cy2] = field.slice(8 + 4 * w, 12 + 4 * w);
          oy += Math.sin(ph2 + f2 * (cx2 * ux + cy2 * uy));
        }
        x += (ox / 2) * bend;
        y += (oy / 2) * bend;
      }
      px[i] = x;
      py[i] = y;
    }
    for (let i = 0; i < m; i++) {
      const ax = px[i];
      const ay = py[i];
      const bx = i + 1 < m ? px[i + 1] : ax;
      const by = i + 1 < m ? py[i + 1] : ay;
      const ex = bx - ax;
      const ey = by - ay;
      const len2 = ex * ex + ey * ey;
      const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r));
      const x1 = Math.min(grid - 1, Math.ceil(Math.max(ax, bx) + r));
      const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r));
      const y1 = Math.min(grid - 1, Math.ceil(Math.max(ay, by) + r));
      for (let y = y0; y <= y1; y++) {
        const sy = y + 0.5 - ay;
        for (let x = x0; x <= x1; x++) {
          const sx = x + 0.5 - ax;
          // Distance from the sample to the segment a-b.
          const t = len2 > 0 ? Math.min(1, Math.max(0, (sx * ex + sy * ey) / len2)) : 0;
          const qx = sx - t * ex;
          const qy = sy - t * ey;
          if (qx * qx + qy * qy <= r2) hits[y * grid + x] = 1;
        }
      }
    }
  }
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let s = 0;
      for (let j = 0; j < sub; j++) for (let i = 0; i < sub; i++) s += hits[(y * sub + j) * grid + x * sub + i];
      out[y * n + x] = Math.round((s * 255) / (sub * sub));
    }
  }
  return out;
}

let samples: Uint8Array | null = null;

/** The drawings' strokes beside a pack: strokes[image] for each pack image, null where a drawing has none. */
export type StrokeSet = (Drawing | null)[];
