import * as d3 from 'd3';
import type { OmniglotCurvePoint, SettingsEvent } from '../../worker/omniglotProtocol';
import { Axes } from '../AdaptationPlot';
import { plotLine } from '../plotLine';
import { iterationScale } from '../curveScales';

const W = 620;
const H = 250;
const M = { top: 12, right: 16, bottom: 40, left: 56 };

type Key = 'preAccuracy' | 'postAccuracy' | 'preLoss' | 'postLoss';
const ACCURACY: { key: Key; label: string; color: string; dash?: string }[] = [
  { key: 'preAccuracy', label: 'before adaptation', color: '#0072b2', dash: '5 3' },
  { key: 'postAccuracy', label: 'after adaptation', color: '#0072b2' },
];
const LOSS: typeof ACCURACY = [
  { key: 'preLoss', label: 'before adaptation', color: '#d55e00', dash: '5 3' },
  { key: 'postLoss', label: 'after adaptation', color: '#d55e00' },
];

/** At most `n` points: means over equal bins of iterations. */
function binned(points: OmniglotCurvePoint[], n = 300): OmniglotCurvePoint[] {
  if (points.length <= n) return points;
  const size = Math.ceil(points.length / n);
  const out: OmniglotCurvePoint[] = [];
  for (let i = 0; i < points.length; i += size) {
    const chunk = points.slice(i, i + size);
    const mean = (k: Key) => chunk.reduce((s, p) => s + p[k], 0) / chunk.length;
    out.push({
      iteration: chunk[chunk.length - 1].iteration,
      preAccuracy: mean('preAccuracy'),
      postAccuracy: mean('postAccuracy'),
      preLoss: mean('preLoss'),
      postLoss: mean('postLoss'),
    });
  }
  return out;
}

/** "way 20, alpha 1.6" */
export function describeChange(changed: Record<string, unknown>): string {
  const names: Record<string, string> = {
    way: 'way',
    shot: 'shot',
    metaBatch: 'meta-batch',
    alpha: 'α',
    trainSteps: 'steps',
    testSteps: 'test steps',
    metaLr: 'meta-lr',
    shift: 'shifts ±px',
    affine: 'affine',
    within: 'within-alphabet share',
    algorithm: '',
    queries: 'queries',
  };
  return Object.entries(changed)
    .map(([k, v]) => `${names[k] ?? k} ${v}`.trim())
    .join(', ');
}

function Curve({
  points,
  events,
  series,
  yLabel,
  domain,
  format,
  testid,
}: {
  points: OmniglotCurvePoint[];
  events: SettingsEvent[];
  series: typeof ACCURACY;
  yLabel: string;
  domain: [number, number];
  format: (v: number) => string;
  testid: string;
}) {
  const last = points[points.length - 1];
  const x = iterationScale(last?.iteration, M.left, W - M.right);
  const y = d3
    .scaleLinear()
    .domain(domain)
    .range([H - M.bottom, M.top])
    .nice();
  const line = (k: Key) =>
    plotLine<OmniglotCurvePoint>(
      (p) => x(p.iteration),
      (p) => y(p[k]),
    )(points) ?? '';
  const summary = last
    ? `${yLabel} at meta-iteration ${last.iteration}: ` + series.map((s) => `${s.label} ${format(last[s.key])}`).join(', ')
    : 'No training yet';
  return (
    <figure className="plot" data-testid={testid}>
      <figcaption>
        <strong>{yLabel}</strong>{' '}
        <span className="muted">on each meta-batch's query sets{events.length ? '; dashed lines: settings changed' : ''}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        <Axes x={x} y={y} xLabel="meta-iteration" yLabel={yLabel} xFormat={d3.format(',~d')} />
        {events.map((ev, i) => (
          <g key={i} className="settings-event" data-testid="settings-event">
            <line x1={x(ev.iteration)} x2={x(ev.iteration)} y1={M.top} y2={H - M.bottom} stroke="#888" strokeDasharray="2 3" />
            <text x={x(ev.iteration) + 3} y={M.top + 10 + 12 * (i % 3)} className="event-label">
              {describeChange(ev.changed)}
            </text>
          </g>
        ))}
        {points.length > 1 &&
          series.map((s) => (
            <path key={s.key} d={line(s.key)} fill="none" stroke={s.color} strokeWidth={s.dash ? 1.5 : 2.2} strokeDasharray={s.dash} />
          ))}
        {points.length < 2 && (
          <text x={(M.left + W - M.right) / 2} y={H / 2} textAnchor="middle" className="empty">
            No meta-training recorded yet.
          </text>
        )}
      </svg>
      <div className="legend">
        {series.map((s) => (
          <span className="legend-item" key={s.key}>
            <svg width="24" height="10" aria-hidden="true">
              <line x1="0" x2="24" y1="5" y2="5" stroke={s.color} strokeWidth={2} strokeDasharray={s.dash} />
            </svg>
            {s.label}
            {last && <b> {format(last[s.key])}</b>}
          </span>
        ))}
      </div>
    </figure>
  );
}

export function OmniglotCurves({ points, events }: { points: OmniglotCurvePoint[]; events: SettingsEvent[] }) {
  const b = binned(points);
  const maxLoss = Math.max(0.5, ...b.map((p) => Math.max(p.preLoss, p.postLoss)));
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  return (
    <div className="pair">
      <Curve
        points={b}
        events={events}
        series={ACCURACY}
        yLabel="query accuracy"
        domain={[0, 1]}
        format={pct}
        testid="omniglot-accuracy-curve"
      />
      <Curve
        points={b}
        events={events}
        series={LOSS}
        yLabel="query cross-entropy"
        domain={[0, maxLoss]}
        format={(v) => v.toFixed(3)}
        testid="omniglot-loss-curve"
      />
    </div>
  );
}
