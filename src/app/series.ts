import type { CurvePoint } from '../worker/protocol';

export type Value = 'pre' | 'post' | 'basePre' | 'basePost';
const KEYS: Value[] = ['pre', 'post', 'basePre', 'basePost'];
const ZERO = (): CurvePoint => ({ iteration: 0, pre: 0, post: 0, basePre: 0, basePost: 0 });

/** a + f·b, value by value (the compared methods too). */
function addScaled(a: CurvePoint, b: CurvePoint, f = 1): CurvePoint {
  const out = { ...a };
  for (const k of KEYS) out[k] = a[k] + f * b[k];
  if (b.methods) {
    out.methods = { ...a.methods };
    for (const [m, [pre, post]] of Object.entries(b.methods)) {
      const [p0, q0] = a.methods?.[m] ?? [0, 0];
      out.methods[m] = [p0 + f * pre, q0 + f * post];
    }
  }
  return out;
}

/**
 * Training curves with bounded memory. Every stored point is the mean of `stride`
 * consecutive iterations; past `limit` points, pairs merge and the stride doubles, so a
 * long run keeps its whole history at one uniform, coarser resolution.
 */
export interface Series {
  points: CurvePoint[];
  stride: number;
  /** The bin being filled: sums of the last `count` iterations. */
  partial: { sums: CurvePoint; count: number } | null;
  limit: number;
}

export const emptySeries = (limit = 1500): Series => ({ points: [], stride: 1, partial: null, limit });

const mean = (sums: CurvePoint, n: number, iteration: number): CurvePoint => ({ ...addScaled(ZERO(), sums, 1 / n), iteration });

export function appendPoints(series: Series, incoming: CurvePoint[]): Series {
  let { points, stride, partial } = series;
  points = points.slice();
  for (const p of incoming) {
    const sums = addScaled(partial ? partial.sums : ZERO(), p);
    const count = (partial?.count ?? 0) + 1;
    partial = { sums, count };
    if (count >= stride) {
      points.push(mean(sums, count, p.iteration));
      partial = null;
    }
    if (points.length > series.limit) {
      const merged: CurvePoint[] = [];
      for (let i = 0; i + 1 < points.length; i += 2) {
        const a = points[i];
        const b = points[i + 1];
        merged.push(mean(addScaled(a, b), 2, b.iteration));
      }
      if (points.length % 2) {
        // An odd last point becomes the start of the next, wider bin.
        const last = points[points.length - 1];
        partial = { sums: addScaled(ZERO(), last, stride), count: stride };
      }
      points = merged;
      stride *= 2;
    }
  }
  return { points, stride, partial, limit: series.limit };
}

/** The points to draw: the finished bins and the one being filled. */
export function visiblePoints(series: Series): CurvePoint[] {
  const p = series.partial;
  return p
    ? [
        ...series.points,
        mean(p.sums, p.count, series.points.length ? series.points[series.points.length - 1].iteration + p.count : p.count),
      ]
    : series.points;
}

/**
 * The trailing moving average of one value over `window` points, as [iteration, mean];
 * points where the value is missing are left out of the mean (NaN where none is left). O(n).
 */
export function movingAverage<P extends { iteration: number }>(
  points: P[],
  value: (p: P) => number | undefined,
  window: number,
): [number, number][] {
  const out: [number, number][] = [];
  let sum = 0;
  let count = 0;
  for (let i = 0; i < points.length; i++) {
    const v = value(points[i]);
    if (v !== undefined) {
      sum += v;
      count++;
    }
    if (i >= window) {
      const old = value(points[i - window]);
      if (old !== undefined) {
        sum -= old;
        count--;
      }
    }
    out.push([points[i].iteration, count ? sum / count : NaN]);
  }
  return out;
}

/** Points drawn per curve: about one per pixel of a plot; more would cost the main thread for nothing. */
export const DRAWN_POINTS = 320;

/** At most about `max` evenly spaced items, always keeping the first and the last. */
export function thinned<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const step = Math.ceil(items.length / max);
  const out = items.filter((_, i) => i % step === 0);
  if ((items.length - 1) % step) out.push(items[items.length - 1]);
  return out;
}
