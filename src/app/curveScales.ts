import * as d3 from 'd3';

/** The x scale of a training curve: meta-iterations from 0 to the last one (at least 10), over [left, right] pixels. */
export function iterationScale(lastIteration: number | undefined, left: number, right: number) {
  return d3
    .scaleLinear()
    .domain([0, Math.max(10, lastIteration ?? 10)])
    .range([left, right])
    .nice();
}

/** The y scale of positive losses on a log axis (room above and below; clamped), over [bottom, top] pixels. */
export function lossScale(values: number[], bottom: number, top: number) {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  const lo = positive.length ? Math.max(1e-4, d3.min(positive)!) : 0.01;
  const hi = positive.length ? Math.min(1e6, d3.max(positive)!) : 10;
  return d3
    .scaleLog()
    .domain([lo * 0.8, hi * 1.25])
    .range([bottom, top])
    .clamp(true);
}
