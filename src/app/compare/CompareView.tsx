import * as d3 from 'd3';
import { memo } from 'react';
import type { SinusoidConfig } from '../../maml/sinusoid/config';
import { methodKey, type CurvePoint, type MethodSpec, type TaskView } from '../../worker/protocol';
import { AdaptationPlot, Axes } from '../AdaptationPlot';
import { DRAWN_POINTS, movingAverage, thinned } from '../series';
import type { Adaptation } from '../useTrainer';
import { METHOD_STYLES, methodLabel, methodTrace } from './methods';
import { plotLine } from '../plotLine';
import { iterationScale, lossScale } from '../curveScales';

const W = 620;
const H = 260;
const M = { top: 12, right: 130, bottom: 40, left: 56 };

/** Query MSE after adaptation of every compared method, overlaid, log scale; each line labelled at its end. */
export const CompareCurves = memo(function CompareCurves({
  points,
  methods,
  config,
}: {
  points: CurvePoint[];
  methods: MethodSpec[];
  config: SinusoidConfig;
}) {
  const keys = methods.map(methodKey);
  const last = points[points.length - 1];
  const x = iterationScale(last?.iteration, M.left, W - M.right);
  const y = lossScale(
    points.flatMap((p) => keys.map((k) => p.methods?.[k]?.[1] ?? NaN)),
    H - M.bottom,
    M.top,
  );
  const w = Math.max(1, Math.floor(points.length / 60));
  const series = keys.map((k) =>
    thinned(
      movingAverage(points, (p) => p.methods?.[k]?.[1], w),
      DRAWN_POINTS,
    ),
  );
  const line = plotLine<[number, number]>(
    (d) => x(d[0]),
    (d) => (d[1] > 0 ? y(d[1]) : NaN),
  ); // log scale
  const finals = keys.map((k) => last?.methods?.[k]?.[1]);
  // End labels, pushed apart where the lines end close together.
  const labelY = spreadLabels(
    series.map((sr) => sr[sr.length - 1]?.[1]).map((v) => (v !== undefined && Number.isFinite(v) ? y(v) : NaN)),
    15,
    M.top + 6,
    H - M.bottom,
  );
  const summary = last
    ? `Comparison after ${last.iteration} meta-iterations, query MSE after adaptation: ` +
      methods.map((m, i) => `${methodLabel(m, methods, config)} ${finals[i]?.toFixed(3)}`).join(', ')
    : 'Comparison: no training yet.';
  return (
    <figure className="plot wide" data-testid="compare-curves">
      <figcaption>
        <strong>Comparison: training curves</strong>{' '}
        <span className="muted">query MSE after adaptation, same stream of tasks, log scale</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        <Axes x={x} y={y} xLabel="meta-iteration" yLabel="query MSE (adapted)" yTicks={y.ticks(4)} xFormat={d3.format(',~d')} />
        {points.length < 2 && (
          <text x={(M.left + W - M.right) / 2} y={H / 2} textAnchor="middle" className="empty">
            No meta-iterations yet: press Play or Step.
          </text>
        )}
        {points.length > 1 &&
          methods.map((m, i) => {
            const st = METHOD_STYLES[i];
            return (
              <g key={keys[i]}>
                <path
                  d={line(series[i]) ?? ''}
                  fill="none"
                  stroke={st.color}
                  strokeWidth={2.2}
                  strokeDasharray={st.dash || undefined}
                  data-testid={`compare-curve-${keys[i]}`}
                />
                {Number.isFinite(labelY[i]) && (
                  <text x={x.range()[1] + 6} y={labelY[i]} dy="0.32em" className="end-label" fill={st.color}>
                    {st.marker} {methodLabel(m, methods, config).replace(/ \(.*\)/, '')}
                  </text>
                )}
              </g>
            );
          })}
      </svg>
      <div className="legend" aria-hidden="true">
        {methods.map((m, i) => (
          <span className="legend-item" key={keys[i]}>
            <svg width="28" height="10">
              <line
                x1="0"
                x2="28"
                y1="5"
                y2="5"
                stroke={METHOD_STYLES[i].color}
                strokeWidth={2.2}
                strokeDasharray={METHOD_STYLES[i].dash || undefined}
              />
            </svg>
            {METHOD_STYLES[i].marker} {methodLabel(m, methods, config)}
            {finals[i] !== undefined && <b data-testid={`compare-final-${keys[i]}`}> {finals[i]!.toFixed(3)}</b>}
          </span>
        ))}
      </div>
    </figure>
  );
});

/** Positions for labels wanted at `ys` (NaN: none), at least `gap` apart, within [lo, hi]. */
export function spreadLabels(ys: number[], gap: number, lo: number, hi: number): number[] {
  const order = ys
    .map((_, i) => i)
    .filter((i) => Number.isFinite(ys[i]))
    .sort((a, b) => ys[a] - ys[b]);
  const out = ys.slice();
  let prev = -Infinity;
  for (const i of order) {
    out[i] = Math.max(ys[i], prev + gap, lo);
    prev = out[i];
  }
  // Pushed past the bottom: shift the run back up.
  const over = order.length ? out[order[order.length - 1]] - hi : 0;
  if (over > 0) for (const i of order) out[i] = Math.max(lo, out[i] - over);
  return out;
}

/** Each compared method adapting to the same task, side by side. */
export function CompareMultiples({
  methods,
  config,
  adaptation,
  task,
  editable,
  onTaskChange,
}: {
  methods: MethodSpec[];
  config: SinusoidConfig;
  adaptation?: Adaptation;
  task: TaskView;
  editable: boolean;
  onTaskChange: (t: TaskView) => void;
}) {
  return (
    <div className="multiples compare-multiples" data-testid="compare-multiples">
      {methods.map((m, i) => {
        const key = methodKey(m);
        const trace = methodTrace(m, config, adaptation);
        const shown =
          m.shots !== undefined && m.shots < task.supportX.length
            ? { ...task, supportX: task.supportX.slice(0, m.shots), supportY: task.supportY.slice(0, m.shots) }
            : task;
        return (
          <div key={key} className="compare-cell" style={{ borderTopColor: METHOD_STYLES[i].color }}>
            <AdaptationPlot
              title={`${METHOD_STYLES[i].marker} ${methodLabel(m, methods, config)}`}
              testid={`compare-adapt-${key}`}
              task={shown}
              grid={adaptation?.grid}
              curves={trace?.curves}
              supportLoss={trace?.supportLoss}
              steps={adaptation?.steps ?? config.testSteps}
              editable={editable && shown === task}
              onTaskChange={onTaskChange}
              compact
            />
          </div>
        );
      })}
    </div>
  );
}
