/**
 * Test images of what people bring, made from a real drawing (pure and seeded: the same
 * drawing, options and seed give the same pixels). `photoLike` makes a photograph of the
 * character written on paper: the drawing scaled into a bigger frame, small and off-centre,
 * slightly tilted, in pen of gray 40 to 90 (in full light), under uneven light (a gradient
 * across, dark corners, a dark stripe along an edge: a shadow or the table), on white, cream
 * or gray paper, ruled or not, with sensor noise. `drawPadLike` makes what the page's draw pad
 * gives: antialiased #111 strokes 9 px wide on a white 168 px square.
 */
import type { Rng } from '../random';

/** A drawing as ink coverage in [0, 1] (1 = ink), row-major. */
export interface InkImage {
  width: number;
  height: number;
  ink: Float32Array;
}

export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/** Ink coverage of an RGBA image of dark ink on white paper (the official drawings). */
export function inkOfRgba(rgba: ArrayLike<number>, width: number, height: number): InkImage {
  const ink = new Float32Array(width * height);
  for (let i = 0; i < ink.length; i++) {
    const lum = (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) / 255;
    ink[i] = 1 - lum;
  }
  return { width, height, ink };
}

/**
 * The lighting of the failure cases and of the accuracy test: `gradient` is the
 * light rising from gray 120 to 230 across the frame (dark on the left unless `lightFrom`
 * says otherwise); `corners` a bright centre with dark corners (a lens's vignette, the corners at a
 * third of the centre's light); `stripe` a 40 px dark
 * band along one edge (the bottom unless `stripeEdge` says otherwise); `lined` ruled paper
 * in fairly even light; `mild` the 185 to 235 gradient the old preprocessing already handled;
 * `mixed` a random mix of them all; `even` even light (the other troubles only).
 */
export type PhotoVariant = 'even' | 'gradient' | 'corners' | 'stripe' | 'lined' | 'mild' | 'mixed';

export const PHOTO_VARIANTS: readonly PhotoVariant[] = ['gradient', 'corners', 'stripe', 'lined', 'mixed'];

export interface PhotoOptions {
  variant: PhotoVariant;
  width?: number;
  height?: number;
  /** The character's larger side as a share of the frame's shorter side (default: random, 0.3 to 0.5). */
  size?: number;
  /** Tilt in degrees (default: random, -5 to 5). */
  angle?: number;
  /** Pen gray in full light (default: random, 40 to 90). */
  inkGray?: number;
  /** Standard deviation of the sensor noise (the same in the three channels), in gray levels (default 6). */
  noise?: number;
  /** Rule lines on the paper (default: for `lined`, and for half of the `mixed`). */
  lines?: boolean;
  /** For the gradients, the direction the light comes from, in degrees (0, the default: from the right, 90: from below). */
  lightFrom?: number;
  stripeEdge?: 'top' | 'bottom' | 'left' | 'right';
}

export interface PhotoLike extends RgbaImage {
  /** Where the character is: its centre in the frame, the scale from the drawing's pixels, the tilt in degrees. */
  placement: { cx: number; cy: number; scale: number; angle: number };
  /** The bounding box of the character's ink (coverage over 0.5) in the frame. */
  box: { x: number; y: number; width: number; height: number };
}

/** Bilinear sample of the drawing's ink at (u, v) in its pixel coordinates; paper outside. */
function sample(d: InkImage, u: number, v: number): number {
  const x = u - 0.5;
  const y = v - 0.5;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xx: number, yy: number) => (xx >= 0 && yy >= 0 && xx < d.width && yy < d.height ? d.ink[yy * d.width + xx] : 0);
  return (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) + fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
}

/** The bounding box of the drawing's ink (coverage over 0.5). */
export function inkBox(d: InkImage, threshold = 0.5) {
  let x0 = d.width,
    y0 = d.height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < d.height; y++)
    for (let x = 0; x < d.width; x++)
      if (d.ink[y * d.width + x] > threshold) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

const smoothstep = (e0: number, e1: number, x: number) => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};

/** A photo-like RGBA image of `drawing` written on paper, as the options and the seed say. */
export function photoLike(drawing: InkImage, rng: Rng, options: PhotoOptions): PhotoLike {
  const W = options.width ?? 400;
  const H = options.height ?? 300;
  let variant = options.variant;
  // A mixed photo: one of the lightings, sometimes ruled, on some paper.
  const mixed = variant === 'mixed';
  if (mixed) variant = (['gradient', 'corners', 'stripe', 'mild'] as const)[rng.int(4)];
  const lines = options.lines ?? (variant === 'lined' || (mixed && rng.next() < 0.5));
  const angle = options.angle ?? rng.uniform(-5, 5);
  const size = options.size ?? rng.uniform(0.3, 0.5);
  const inkGray = options.inkGray ?? rng.uniform(40, 90);
  const noise = options.noise ?? 6;
  const lightFrom = ((options.lightFrom ?? (mixed ? rng.uniform(0, 360) : 0)) * Math.PI) / 180;
  const stripeEdge = options.stripeEdge ?? (mixed ? (['top', 'bottom', 'left', 'right'] as const)[rng.int(4)] : 'bottom');

  // The character: scaled so its larger side is `size` of the shorter side, placed off-centre but whole.
  const box = inkBox(drawing);
  const scale = (size * Math.min(W, H)) / Math.max(box.width, box.height);
  const half = (scale * Math.hypot(box.width, box.height)) / 2;
  const margin = Math.min(W, H) * 0.08 + half;
  // Away from a dark stripe: the character is written on the paper.
  const band = variant === 'stripe' ? 40 + 4 : 0;
  const lo = (edge: 'left' | 'top') => margin + (stripeEdge === edge ? band : 0);
  const hi = (edge: 'right' | 'bottom', side: number) => side - margin - (stripeEdge === edge ? band : 0);
  const pick = (a: number, b: number) => (a < b ? rng.uniform(a, b) : (a + b) / 2);
  const cx = pick(lo('left'), hi('right', W));
  const cy = pick(lo('top'), hi('bottom', H));
  const bx = box.x + box.width / 2;
  const by = box.y + box.height / 2;
  const cos = Math.cos((angle * Math.PI) / 180);
  const sin = Math.sin((angle * Math.PI) / 180);

  // Paper and pen colours (reflectances), the light, the rule lines.
  const paper = [
    [1, 1, 1],
    [1, 0.97, 0.9],
    [0.86, 0.86, 0.86],
  ][rng.int(3)];
  const pen = rng.next() < 0.7 ? [1, 1, 1] : [0.8, 0.9, 1.8]; // black or blue ballpoint
  const inkRefl = pen.map((c) => Math.min(1, (c * inkGray) / 235));
  const lineRefl = [
    [0.72, 0.8, 0.95], // light blue
    [0.82, 0.82, 0.82], // light gray
    [0.5, 0.6, 0.85], // darker blue
  ][rng.int(3)];
  const spacing = rng.uniform(27, 33);
  const phase = rng.uniform(0, spacing);
  const lightX = Math.cos(lightFrom);
  const lightY = Math.sin(lightFrom);
  const diag = Math.hypot(W, H) / 2;
  const light = (x: number, y: number): number => {
    const px = (x - W / 2) / diag;
    const py = (y - H / 2) / diag;
    if (variant === 'gradient' || variant === 'mild') {
      // t: -1 on the dark side of the frame, +1 on the side the light comes from.
      const t = ((x - W / 2) * lightX + (y - H / 2) * lightY) / ((Math.abs(lightX) * W + Math.abs(lightY) * H) / 2);
      return variant === 'gradient' ? 175 + 55 * t : 210 + 25 * t;
    }
    // A lens's falloff, cos^4 of the angle off the axis (40 degrees at the corners: a third of the centre's light there).
    if (variant === 'corners') return 240 * Math.cos(Math.atan(Math.hypot(px, py) * Math.tan((40 * Math.PI) / 180))) ** 4;
    if (variant === 'even') return 230;
    let l = 228 - 10 * px;
    if (variant === 'stripe') {
      const d = { top: y, bottom: H - y, left: x, right: W - x }[stripeEdge];
      l *= 0.22 + 0.78 * smoothstep(38, 42, d);
    }
    return l;
  };

  const data = new Uint8ClampedArray(W * H * 4);
  const sub = [0.25, 0.75];
  // The drawing's frame in the photo, past which there is no ink.
  const reach = scale * Math.hypot(Math.max(bx, drawing.width - bx), Math.max(by, drawing.height - by)) + 2;
  let ix0 = W,
    iy0 = H,
    ix1 = -1,
    iy1 = -1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // Ink coverage, 2x2 samples per pixel through the rotation and scale.
      let a = 0;
      if (Math.abs(x + 0.5 - cx) < reach && Math.abs(y + 0.5 - cy) < reach) {
        for (const sy of sub)
          for (const sx of sub) {
            const dx = x + sx - cx;
            const dy = y + sy - cy;
            const u = (cos * dx + sin * dy) / scale + bx;
            const v = (-sin * dx + cos * dy) / scale + by;
            a += sample(drawing, u, v);
          }
        a = Math.min(1, a / 4);
        if (a > 0.5) {
          ix0 = Math.min(ix0, x);
          ix1 = Math.max(ix1, x);
          iy0 = Math.min(iy0, y);
          iy1 = Math.max(iy1, y);
        }
      }
      // Rule lines, tilted with the page, about 1.5 px wide.
      let rule = 0;
      if (lines) {
        const t = -sin * (x + 0.5 - W / 2) + cos * (y + 0.5 - H / 2) + phase;
        const m = ((t % spacing) + spacing) % spacing;
        const dist = Math.min(m, spacing - m);
        rule = 1 - smoothstep(0.5, 1.5, dist);
      }
      const l = light(x + 0.5, y + 0.5);
      const n = noise * rng.normal();
      for (let c = 0; c < 3; c++) {
        const p = paper[c] * (1 - rule * (1 - lineRefl[c]));
        const r = p * (1 - a) + inkRefl[c] * a;
        data[4 * (y * W + x) + c] = Math.round(l * r + n);
      }
      data[4 * (y * W + x) + 3] = 255;
    }
  }
  return {
    width: W,
    height: H,
    data,
    placement: { cx, cy, scale, angle },
    box: { x: ix0, y: iy0, width: ix1 - ix0 + 1, height: iy1 - iy0 + 1 },
  };
}

/**
 * What the page's draw pad gives for strokes (polylines in its 168 px square): #111 ink 9 px
 * wide with round caps and joins, antialiased over a pixel, on white. (photo.test.ts holds the
 * SHA-256 of what the preprocessing before issue 16 made of 40 of these: keep them as they are.)
 */
export function drawPadLike(strokes: [number, number][][], size = 168): RgbaImage {
  const data = new Uint8ClampedArray(size * size * 4).fill(255);
  const r = 4.5;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let d = Infinity;
      const px = x + 0.5;
      const py = y + 0.5;
      for (const s of strokes) {
        for (let k = 0; k < s.length; k++) {
          const [ax, ay] = s[k];
          const [bx, by] = s[Math.min(k + 1, s.length - 1)];
          const vx = bx - ax;
          const vy = by - ay;
          const len2 = vx * vx + vy * vy;
          const t = len2 ? Math.min(1, Math.max(0, ((px - ax) * vx + (py - ay) * vy) / len2)) : 0;
          d = Math.min(d, Math.hypot(px - ax - t * vx, py - ay - t * vy));
        }
      }
      const cover = Math.min(1, Math.max(0, r + 0.5 - d));
      const v = Math.round(255 - cover * (255 - 17));
      data.set([v, v, v, 255], 4 * (y * size + x));
    }
  }
  return { width: size, height: size, data };
}

/** Random draw-pad strokes: 1 to 4 polylines of 2 to 5 points, well inside the pad. */
export function randomStrokes(rng: Rng, size = 168): [number, number][][] {
  const n = 1 + rng.int(4);
  return Array.from({ length: n }, () =>
    Array.from({ length: 2 + rng.int(4) }, () => [rng.uniform(0.15, 0.85) * size, rng.uniform(0.15, 0.85) * size] as [number, number]),
  );
}
