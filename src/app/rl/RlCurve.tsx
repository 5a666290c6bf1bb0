import * as d3 from 'd3';
import { memo } from 'react';
import type { RlCurvePoint } from '../../worker/rlProtocol';
import { Axes } from '../AdaptationPlot';
import { movingAverage } from '../series';
import { pixelLine } from '../plotLine';
import { iterationScale } from '../curveScales';

const W = 560;
const H = 230;
const M = { top: 12, right: 14, bottom: 36, left: 52 };

/** Meta-training: average return on each meta-batch before and after the inner step, over meta-iterations. */
export const RlCurve = memo(function RlCurve({ points, shippedUpTo }: { points: RlCurvePoint[]; shippedUpTo: number }) {
  const last = points[points.length - 1];
  const x = iterationScale(last?.iteration, M.left, W - M.right);
  const vals = points.flatMap((p) => [p.returnBefore, p.returnAfter]);
  const y = d3
    .scaleLinear()
    .domain([Math.min(-1, d3.min(vals) ?? -100), Math.max(0, d3.max(vals) ?? 0)])
    .range([H - M.bottom, M.top])
    .nice();
  const smooth = (key: 'returnBefore' | 'returnAfter') =>
    movingAverage(points, (p) => p[key], 5).map(([i, v]) => [x(i), y(v)] as [number, number]);
  const summary = last
    ? `After ${last.iteration} meta-iterations the batch's average return is ${last.returnBefore.toFixed(1)} before and ${last.returnAfter.toFixed(1)} after one step.`
    : 'No training log.';
  return (
    <figure className="plot wide" data-testid="rl-curve">
      <figcaption>
        <strong>Meta-training</strong>{' '}
        <span className="muted">
          average return on each meta-batch of goals, before (dashed) and after (solid) adaptation; moving average of 5
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        <Axes x={x} y={y} xLabel="meta-iteration" yLabel="return" yTicks={y.ticks(5)} xFormat={d3.format(',~d')} yFormat={String} />
        {shippedUpTo > 0 && last && last.iteration > shippedUpTo && (
          <line x1={x(shippedUpTo)} x2={x(shippedUpTo)} y1={M.top} y2={H - M.bottom} stroke="#999" strokeDasharray="3 3" />
        )}
        {points.length > 1 && (
          <>
            <path
              d={pixelLine(smooth('returnBefore')) ?? ''}
              fill="none"
              stroke="#0072b2"
              strokeWidth={1.6}
              strokeDasharray="5 3"
              data-testid="curve-before"
            />
            <path d={pixelLine(smooth('returnAfter')) ?? ''} fill="none" stroke="#0072b2" strokeWidth={2.4} data-testid="curve-after" />
          </>
        )}
      </svg>
      <p className="muted small">{summary}</p>
    </figure>
  );
});
