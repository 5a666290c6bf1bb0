/**
 * The one line generator of every plot: a d3 line that leaves out points whose coordinates are
 * not finite (a diverged run's NaN and ±Infinity, a loss of 0 on a log scale), so no NaN ever
 * reaches an SVG path; the line breaks there instead. Coordinates are in pixels.
 */
import * as d3 from 'd3';

export function plotLine<T>(x: (d: T, i: number) => number, y: (d: T, i: number) => number): d3.Line<T> {
  return d3
    .line<T>()
    .defined((d, i) => Number.isFinite(x(d, i)) && Number.isFinite(y(d, i)))
    .x(x)
    .y(y);
}

/** The same for points already in pixels. */
export const pixelLine = plotLine<[number, number]>(
  (d) => d[0],
  (d) => d[1],
);
