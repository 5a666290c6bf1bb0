import { formatLoss } from '../maml/settings/numberText';
import * as d3 from 'd3';
import type { CurvePoint } from '../worker/protocol';
import { Axes } from './AdaptationPlot';
import { DRAWN_POINTS, movingAverage, thinned, type Value } from './series';
import { spreadLabels } from './compare/CompareView';
import { plotLine } from './plotLine';
import { iterationScale, lossScale } from './curveScales';

const W = 620;
const H = 280;
const M = { top: 12, right: 96, bottom: 40, left: 56 };

export const SERIES: { key: Value; label: string; color: string; dash?: string }[] = [
  { key: 'pre', label: 'meta-learner, before adaptation', color: '#0072b2', dash: '5 3' },
  { key: 'post', label: 'meta-learner, after adaptation', color: '#0072b2' },
  { key: 'basePre', label: 'pretrained, before adaptation', color: '#d55e00', dash: '5 3' },
  { key: 'basePost', label: 'pretrained, after adaptation', color: '#d55e00' },
];

/** Query MSE over meta-iterations, log scale, for the meta-learner and the pretrained baseline. */
export function TrainingCurves({ points, trainSteps }: { points: CurvePoint[]; trainSteps: number }) {
  const last = points[points.length - 1];
  const x = iterationScale(last?.iteration, M.left, W - M.right);
  const y = lossScale(
    points.flatMap((p) => SERIES.map((s) => p[s.key])),
    H - M.bottom,
    M.top,
  );
  const yTicks = y.ticks(5).filter((t) => [1, 2, 5].includes(Math.round(t / 10 ** Math.floor(Math.log10(t) + 1e-9))));
  // A short moving average: single meta-batches are noisy.
  const span = Math.max(1, Math.floor(points.length / 60));
  const smoothed = Object.fromEntries(
    SERIES.map((s) => [
      s.key,
      points.length > 1
        ? thinned(
            movingAverage(points, (p) => p[s.key], span),
            DRAWN_POINTS,
          )
        : [],
    ]),
  ) as Record<Value, [number, number][]>;
  // A log scale: a loss of 0 has no place on it (y is then not finite, and the point is left out).
  const line = plotLine<[number, number]>(
    (d) => x(d[0]),
    (d) => (d[1] > 0 ? y(d[1]) : NaN),
  );
  // The adapted curves are labelled at their ends, so colour is not the only way to tell them apart.
  const ends = (
    [
      ['post', 'meta-learner'],
      ['basePost', 'pretrained'],
    ] as const
  ).map(([key, text]) => {
    const sm = smoothed[key];
    const v = sm[sm.length - 1]?.[1];
    return { key, text, y: v !== undefined && v > 0 && Number.isFinite(v) ? y(v) : NaN };
  });
  const endY = spreadLabels(
    ends.map((e) => e.y),
    15,
    M.top + 6,
    H - M.bottom,
  );
  const summary = last
    ? `After ${last.iteration} meta-iterations: ` + SERIES.map((s) => `${s.label} ${formatLoss(last[s.key])}`).join(', ')
    : 'No training yet.';
  return (
    <figure className="plot wide" data-testid="training-curves">
      <figcaption>
        <strong>Training curves</strong>{' '}
        <span className="muted">
          query MSE on each meta-batch ({trainSteps} inner step{trainSteps > 1 ? 's' : ''}), log scale
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        <Axes x={x} y={y} xLabel="meta-iteration" yLabel="query MSE" yTicks={yTicks} xFormat={d3.format(',~d')} />
        {points.length < 2 && (
          <text x={(M.left + W - M.right) / 2} y={H / 2} textAnchor="middle" className="empty">
            No meta-iterations yet: press Play or Step.
          </text>
        )}
        {points.length > 1 &&
          SERIES.map((s) => (
            <path
              key={s.key}
              d={line(smoothed[s.key]) ?? ''}
              fill="none"
              stroke={s.color}
              strokeWidth={s.dash ? 1.5 : 2.2}
              strokeDasharray={s.dash}
              data-testid={`curve-${s.key}`}
            />
          ))}
        {ends.map((e, i) =>
          Number.isFinite(endY[i]) ? (
            <text
              key={e.key}
              x={x.range()[1] + 6}
              y={endY[i]}
              dy="0.32em"
              className="end-label"
              fill={SERIES.find((s) => s.key === e.key)!.color}
            >
              {e.text}
            </text>
          ) : null,
        )}
      </svg>
      <div className="legend" aria-hidden="true">
        {SERIES.map((s) => (
          <span className="legend-item" key={s.key}>
            <svg width="24" height="10">
              <line x1="0" x2="24" y1="5" y2="5" stroke={s.color} strokeWidth={2} strokeDasharray={s.dash} />
            </svg>
            {s.label}
            {last && (
              <b data-testid={`curve-value-${s.key}`} data-value={last[s.key]}>
                {' '}
                {formatLoss(last[s.key])}
              </b>
            )}
          </span>
        ))}
      </div>
    </figure>
  );
}
