/**
 * Comparisons on Omniglot (issue 16): two or three algorithms meta-trained side by side in the
 * worker (omniglotCompare.ts) from the same blocks on the same seeded batches, their curves
 * overlaid. One colour and marker per algorithm; dashed before adaptation, solid after.
 */
import * as d3 from 'd3';
import { startTransition, useCallback, useEffect, useState } from 'react';
import { ALGORITHM_LABELS, CONV_ALGORITHMS, type ConvAlgorithm } from '../../maml/algorithm/algorithm';
import { SCRATCH_COMPARISON, type CompareFrom } from '../../maml/omniglot/comparison';
import type { OmniglotConfig } from '../../maml/omniglot/config';
import type { FromOmniglotWorker, OmniglotCurvePoint, ToOmniglotWorker } from '../../worker/omniglotProtocol';
import { Axes } from '../AdaptationPlot';
import { spreadLabels } from '../compare/CompareView';
import { METHOD_STYLES } from '../compare/methods';
import { plotLine } from '../plotLine';
import { usePauseWhileHidden } from '../usePauseWhileHidden';
import { iterationScale } from '../curveScales';

const W = 620;
const H = 250;
const M = { top: 12, right: 92, bottom: 40, left: 56 };
/** Points kept per algorithm before neighbours are merged (the history stays whole, coarser). */
const KEEP = 4000;

type Key = 'preAccuracy' | 'postAccuracy' | 'preLoss' | 'postLoss';
type Curves = Partial<Record<ConvAlgorithm, OmniglotCurvePoint[]>>;

/** Each algorithm's style, the same whichever are compared. */
export const styleOf = (a: ConvAlgorithm) => METHOD_STYLES[CONV_ALGORITHMS.indexOf(a)];
const SHORT: Record<ConvAlgorithm, string> = { maml2: 'MAML', maml1: 'FO-MAML', reptile: 'Reptile' };

function mergePairs(points: OmniglotCurvePoint[]): OmniglotCurvePoint[] {
  const out: OmniglotCurvePoint[] = [];
  for (let i = 0; i + 1 < points.length; i += 2) {
    const [a, b] = [points[i], points[i + 1]];
    const mean = (k: Key) => (a[k] + b[k]) / 2;
    out.push({
      iteration: b.iteration,
      preAccuracy: mean('preAccuracy'),
      postAccuracy: mean('postAccuracy'),
      preLoss: mean('preLoss'),
      postLoss: mean('postLoss'),
    });
  }
  if (points.length % 2) out.push(points[points.length - 1]);
  return out;
}

/** The trailing mean of the last `w` points at each point, thinned to at most `n`: [iteration, value]. */
function smoothed(points: OmniglotCurvePoint[], key: Key, w: number, n = 300): [number, number][] {
  const out: [number, number][] = [];
  let sum = 0;
  const every = Math.max(1, Math.ceil(points.length / n));
  points.forEach((p, i) => {
    sum += p[key];
    if (i >= w) sum -= points[i - w][key];
    if (i % every === 0 || i === points.length - 1) out.push([p.iteration, sum / Math.min(i + 1, w)]);
  });
  return out;
}

function CompareCurve({
  curves,
  algorithms,
  pre,
  post,
  yLabel,
  domain,
  format,
  testid,
}: {
  curves: Curves;
  algorithms: ConvAlgorithm[];
  pre: Key;
  post: Key;
  yLabel: string;
  domain: [number, number];
  format: (v: number) => string;
  testid: string;
}) {
  const lengths = algorithms.map((a) => curves[a]?.length ?? 0);
  const n = Math.max(0, ...lengths);
  const lastIteration = Math.max(0, ...algorithms.map((a) => curves[a]?.at(-1)?.iteration ?? 0));
  const x = iterationScale(lastIteration, M.left, W - M.right);
  const y = d3
    .scaleLinear()
    .domain(domain)
    .range([H - M.bottom, M.top])
    .nice();
  const w = Math.min(50, Math.max(1, Math.round(n / 25)));
  const line = plotLine<[number, number]>(
    (d) => x(d[0]),
    (d) => y(d[1]),
  );
  const series = algorithms.map((a) => ({ a, pre: smoothed(curves[a] ?? [], pre, w), post: smoothed(curves[a] ?? [], post, w) }));
  const ends = series.map((s) => s.post.at(-1));
  const labelY = spreadLabels(
    ends.map((e) => (e ? y(e[1]) : NaN)),
    14,
    M.top + 6,
    H - M.bottom,
  );
  const summary =
    n > 0
      ? `${yLabel} after adaptation at meta-iteration ${lastIteration}: ` +
        series.map((s, i) => `${ALGORITHM_LABELS[s.a]} ${ends[i] ? format(ends[i]![1]) : 'none'}`).join(', ')
      : `${yLabel}: no comparison yet`;
  return (
    <figure className="plot" data-testid={testid}>
      <figcaption>
        <strong>{yLabel}</strong>{' '}
        <span className="muted">
          on each meta-batch's query sets{w > 1 ? `, mean of the last ${w} iterations` : ''}; solid after adaptation, dashed before
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        <Axes x={x} y={y} xLabel="meta-iteration of the comparison" yLabel={yLabel} xFormat={d3.format(',~d')} />
        {n < 2 && (
          <text x={(M.left + W - M.right) / 2} y={H / 2} textAnchor="middle" className="empty">
            No comparison yet: choose algorithms and press Start.
          </text>
        )}
        {n >= 2 &&
          series.map((s, i) => {
            const st = styleOf(s.a);
            const end = ends[i];
            const last = curves[s.a]?.at(-1)?.iteration ?? 0;
            return (
              <g key={s.a}>
                <path
                  d={line(s.pre) ?? ''}
                  fill="none"
                  stroke={st.color}
                  strokeWidth={1.5}
                  strokeDasharray="5 3"
                  opacity={0.8}
                  data-testid={`${testid}-${s.a}-pre`}
                />
                <path
                  d={line(s.post) ?? ''}
                  fill="none"
                  stroke={st.color}
                  strokeWidth={2.2}
                  data-testid={`${testid}-${s.a}-post`}
                  data-last-iteration={last}
                />
                {end && Number.isFinite(labelY[i]) && (
                  <text x={x.range()[1] + 8} y={labelY[i]} dy="0.32em" className="end-label" fill={st.color}>
                    {st.marker} {SHORT[s.a]}
                  </text>
                )}
              </g>
            );
          })}
      </svg>
      <div className="legend" data-testid={`${testid}-legend`}>
        {series.map((s, i) => (
          <span className="legend-item" key={s.a} data-testid={`${testid}-legend-${s.a}`}>
            <svg width="28" height="10" aria-hidden="true">
              <line x1="0" x2="28" y1="5" y2="5" stroke={styleOf(s.a).color} strokeWidth={2.2} />
            </svg>
            {styleOf(s.a).marker} {ALGORITHM_LABELS[s.a]}
            {ends[i] && <b data-testid={`${testid}-final-${s.a}`}> {format(ends[i]![1])}</b>}
          </span>
        ))}
        <span className="legend-item">
          <svg width="28" height="10" aria-hidden="true">
            <line x1="0" x2="28" y1="5" y2="5" stroke="#555" strokeWidth={1.5} strokeDasharray="5 3" />
          </svg>
          before adaptation (chance for all: each task's head starts at zero)
        </span>
      </div>
    </figure>
  );
}

interface Started {
  algorithms: ConvAlgorithm[];
  from: CompareFrom;
  config: OmniglotConfig;
  notes: string[];
  engine: string;
}

const describe = (c: OmniglotConfig) =>
  `${c.way}-way ${c.shot}-shot, meta-batch ${c.metaBatch}, ${c.filters} filters, ${c.trainSteps} inner step${c.trainSteps === 1 ? '' : 's'} of α ${c.alpha}, Adam ${c.metaLr}, seed ${c.seed}`;

export function OmniglotCompare({
  send,
  subscribe,
  ready,
  config,
  active = true,
  lesson,
}: {
  send: (m: ToOmniglotWorker) => void;
  subscribe: (l: (m: FromOmniglotWorker) => void) => () => void;
  ready: boolean;
  /** The current model's settings (what "from the current model" trains with). */
  config?: OmniglotConfig;
  /** False while another tab is shown: a running comparison stops. */
  active?: boolean;
  /** A lesson asking for these algorithms from scratch: chosen and started (once per serial). */
  lesson?: { algorithms?: ConvAlgorithm[]; serial: number } | null;
}) {
  const [chosen, setChosen] = useState<ConvAlgorithm[]>(['maml2', 'maml1']);
  const [from, setFrom] = useState<CompareFrom>('scratch');
  const [started, setStarted] = useState<Started | null>(null);
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState({ iteration: 0, itersPerSec: 0 });
  const [curves, setCurves] = useState<Curves>({});

  useEffect(
    () =>
      subscribe((m) => {
        if (m.type === 'compareStarted') {
          const { type: _, ...s } = m;
          setStarted(s);
          setRunning(true);
          setProgress({ iteration: 0, itersPerSec: 0 });
          setCurves({});
        } else if (m.type === 'compareProgress') {
          startTransition(() => {
            setRunning(m.running);
            setProgress({ iteration: m.iteration, itersPerSec: m.itersPerSec });
            if (!m.points.length) return;
            setCurves((c) => {
              const next: Curves = { ...c };
              for (const a of CONV_ALGORITHMS) {
                const added = m.points.filter((p) => p.algorithm === a).map(({ algorithm: _, ...p }) => p);
                if (!added.length) continue;
                const all = [...(c[a] ?? []), ...added];
                next[a] = all.length > KEEP ? mergePairs(all) : all;
              }
              return next;
            });
          });
        }
      }),
    [subscribe],
  );
  const stop = useCallback(() => send({ type: 'stopCompare' }), [send]);
  useEffect(() => {
    if (!lesson?.algorithms || !ready) return;
    setChosen(lesson.algorithms);
    setFrom('scratch');
    send({ type: 'compare', algorithms: lesson.algorithms, from: 'scratch' });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lesson?.serial]);
  usePauseWhileHidden(active, running, stop);

  const toggle = (a: ConvAlgorithm, on: boolean) =>
    setChosen((c) => (on ? CONV_ALGORITHMS.filter((x) => x === a || c.includes(x)) : c.filter((x) => x !== a)));
  const enough = chosen.length >= 2;
  const start = () => enough && send({ type: 'compare', algorithms: chosen, from });
  const shownAlgorithms = started?.algorithms ?? [];
  const maxLoss = Math.max(
    0.5,
    ...shownAlgorithms.flatMap((a) => (curves[a] ?? []).map((p) => Math.max(p.preLoss, Number.isFinite(p.postLoss) ? p.postLoss : 0))),
  );
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const s = SCRATCH_COMPARISON;

  return (
    <section className="plot omniglot-compare" aria-labelledby="ocompare-title" data-testid="omniglot-compare">
      <h3 id="ocompare-title">
        Compare algorithms <span className="muted">— meta-trained side by side from one initialisation, on the same batches</span>
      </h3>
      <div className="toolbar">
        <fieldset className="inline-field" style={{ border: 0, margin: 0, padding: 0 }} disabled={running}>
          <legend className="sr-only">Algorithms to compare</legend>
          {CONV_ALGORITHMS.map((a) => (
            <label key={a} className="inline-field" style={{ marginRight: 10 }}>
              <input
                type="checkbox"
                checked={chosen.includes(a)}
                onChange={(e) => toggle(a, e.target.checked)}
                data-testid={`ocompare-${a}`}
              />{' '}
              <span style={{ color: styleOf(a).color }} aria-hidden="true">
                {styleOf(a).marker}
              </span>{' '}
              {ALGORITHM_LABELS[a]}
            </label>
          ))}
        </fieldset>
        <fieldset className="inline-field" style={{ border: 0, margin: 0, padding: 0 }} disabled={running}>
          <legend className="sr-only">Starting point</legend>
          <label className="inline-field" style={{ marginRight: 10 }}>
            <input
              type="radio"
              name="ocompare-from"
              checked={from === 'scratch'}
              onChange={() => setFrom('scratch')}
              data-testid="ocompare-from-scratch"
            />{' '}
            from scratch
          </label>
          <label className="inline-field">
            <input
              type="radio"
              name="ocompare-from"
              checked={from === 'current'}
              onChange={() => setFrom('current')}
              data-testid="ocompare-from-current"
            />{' '}
            from the current model
          </label>
        </fieldset>
        <button className="primary" disabled={!ready || running || !enough} onClick={start} data-testid="ocompare-start">
          ▶ Start
        </button>
        <button disabled={!running} onClick={stop} data-testid="ocompare-stop">
          ■ Stop
        </button>
        <span data-testid="ocompare-iteration">
          iteration <b>{progress.iteration.toLocaleString('en')}</b>
        </span>
        <span data-testid="ocompare-rate">
          {running ? (
            <>
              <b>{progress.itersPerSec.toFixed(2)}</b> it/s
            </>
          ) : started ? (
            'stopped'
          ) : (
            'not started'
          )}
        </span>
      </div>
      <p className="muted small" data-testid="ocompare-note">
        {!enough && (
          <span className="error-text" role="status">
            Choose at least two algorithms.{' '}
          </span>
        )}
        {from === 'scratch'
          ? `From scratch: a small network for speed, one seeded random initialisation (${s.filters} filters, ${s.way}-way ${s.shot}-shot, meta-batch ${s.metaBatch}, ${s.trainSteps} inner steps).`
          : `From the current model: its blocks and settings${config ? ` (${describe(config)})` : ''}; each algorithm continues the model's stream of batches with a fresh Adam.`}{' '}
        Each iteration steps every chosen algorithm once, on the same batch. The comparison runs on the CPU kernels (WebAssembly), even
        where meta-training uses a GPU; normal training is paused meanwhile (Train stops the comparison), and the current model does not
        change.
      </p>
      {started && (
        <p className="small" data-testid="ocompare-settings">
          {started.from === 'scratch' ? 'From scratch' : 'From the current model'}: {describe(started.config)}
          {started.notes.length ? `; ${started.notes.join('; ')}` : ''}. Runs on {started.engine}.
        </p>
      )}
      <div className="pair">
        <CompareCurve
          curves={curves}
          algorithms={shownAlgorithms}
          pre="preAccuracy"
          post="postAccuracy"
          yLabel="query accuracy"
          domain={[0, 1]}
          format={pct}
          testid="ocompare-accuracy"
        />
        <CompareCurve
          curves={curves}
          algorithms={shownAlgorithms}
          pre="preLoss"
          post="postLoss"
          yLabel="query cross-entropy"
          domain={[0, maxLoss]}
          format={(v) => v.toFixed(3)}
          testid="ocompare-loss"
        />
      </div>
    </section>
  );
}
