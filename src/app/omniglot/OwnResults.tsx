import * as d3 from 'd3';
import { useEffect, useState, type ReactNode } from 'react';
import type { FromOmniglotWorker } from '../../worker/omniglotProtocol';
import { mostProbableClass } from '../../maml/metrics';
import { Axes } from '../AdaptationPlot';
import { classColor } from './EpisodeView';
import { Glyph } from './Glyph';
import type { Example } from './OwnClasses';
import { plotLine } from '../plotLine';
import { OwnMistakes } from './MistakeCard';

type Classified = Extract<FromOmniglotWorker, { type: 'classified' }>;
export interface OwnResult {
  data: Classified;
  names: string[];
  queries: Example[];
  /** The first example of each class, for the mistakes' "taken for / is" pairs. */
  supports?: Uint8Array[];
}

const STEP_MS = 600;
const W = 300;
const H = 150;
const M = { top: 10, right: 10, bottom: 34, left: 46 };
/** Colour-blind-safe (Okabe-Ito), each line also dashed differently. */
const METHODS = [
  { id: 'meta', label: 'meta-learned', color: '#0072b2', dash: '' },
  { id: 'pretrained', label: 'pretrained', color: '#d55e00', dash: '6 3' },
  { id: 'random', label: 'random init', color: '#777', dash: '2 3' },
] as const;

const SHORT: Record<string, string> = { pretrained: 'pretrained', random: 'random init', nearest: 'nearest neighbour' };
/** Losses fall to tiny values after a few steps: three decimals, then powers of ten. */
export const formatLoss = (l: number) => (l >= 0.001 || l === 0 ? l.toFixed(3) : l.toExponential(1));

/** Support loss per inner step, for the meta-learned initialisation and the baselines. */
function LossPerStep({ series, step }: { series: { label: string; color: string; dash: string; loss: number[] }[]; step: number }) {
  const steps = series[0].loss.length - 1;
  const x = d3
    .scaleLinear()
    .domain([0, Math.max(1, steps)])
    .range([M.left, W - M.right]);
  const y = d3
    .scaleLinear()
    .domain([0, d3.max(series.flatMap((s) => s.loss)) ?? 1])
    .range([H - M.bottom, M.top])
    .nice();
  const line = plotLine<number>(
    (_, i) => x(i),
    (v) => y(v),
  );
  const summary = `Support loss per inner step: ${series.map((s) => `${s.label} ${s.loss.map(formatLoss).join(' → ')}`).join('; ')}`;
  return (
    <figure className="own-loss" data-testid="own-loss">
      <figcaption className="small">Support loss per inner step</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        <Axes x={x} y={y} xLabel="inner step" yLabel="loss" xFormat={d3.format('d')} xTicks={d3.range(0, steps + 1)} />
        <line x1={x(step)} x2={x(step)} y1={M.top} y2={H - M.bottom} stroke="#aaa" />
        {series.map((s) => (
          <g key={s.label}>
            <path d={line(s.loss) ?? ''} fill="none" stroke={s.color} strokeWidth={2} strokeDasharray={s.dash} />
            {s.loss.map((v, i) => (
              <circle key={i} cx={x(i)} cy={y(v)} r={i === step ? 4 : 2.5} fill={s.color} />
            ))}
          </g>
        ))}
      </svg>
      <div className="legend small">
        {series.map((s) => (
          <span key={s.label}>
            <svg width="22" height="8" aria-hidden="true">
              <line x1="0" x2="22" y1="4" y2="4" stroke={s.color} strokeWidth="2" strokeDasharray={s.dash} />
            </svg>{' '}
            {s.label}
          </span>
        ))}
      </div>
    </figure>
  );
}

/**
 * The result of Classify: the inner steps played one by one (slider to inspect any), the
 * support loss per step, each query's class probabilities at the chosen step, and what the
 * pretrained baseline, a random initialisation and nearest neighbour predict for it.
 */
export function OwnResults({ result }: { result: OwnResult }) {
  const { data, names, queries } = result;
  const last = data.probs.length - 1;
  const [step, setStep] = useState(0);
  const [playing, setPlaying] = useState(true);
  // Each new result plays its inner steps from step 0.
  useEffect(() => {
    setStep(0);
    setPlaying(true);
  }, [data]);
  useEffect(() => {
    if (!playing) return;
    if (step >= last) {
      setPlaying(false);
      return;
    }
    const t = setTimeout(() => setStep((s) => Math.min(last, s + 1)), STEP_MS);
    return () => clearTimeout(t);
  }, [playing, step, last]);

  const way = names.length;
  const probs = data.probs[step];
  const loss = [
    { ...METHODS[0], loss: data.supportLoss },
    ...data.baselines.filter((b) => b.supportLoss).map((b) => ({ ...METHODS.find((m) => m.id === b.id)!, loss: b.supportLoss! })),
  ];
  const known = queries.every((q) => q.expected !== undefined && q.expected < way);
  const score = (labels: number[]) => labels.filter((l, i) => l === queries[i].expected).length;

  return (
    <div className="own-results" data-testid="own-results">
      <div className="own-results-head">
        <div>
          <div className="step-control">
            <button
              onClick={() => (step >= last ? (setStep(0), setPlaying(true)) : setPlaying(!playing))}
              data-testid="own-play"
              aria-label={playing ? 'Pause the inner steps' : 'Play the inner steps'}
            >
              {playing ? '❚❚' : '▶'}
            </button>
            <label className="inline-field">
              inner step <b data-testid="own-step">{step}</b> of {last}{' '}
              <input
                type="range"
                min={0}
                max={last}
                value={step}
                onChange={(e) => (setPlaying(false), setStep(Number(e.target.value)))}
                aria-label="Inner step shown"
                data-testid="own-step-slider"
              />
            </label>
          </div>
          <p className="small" data-testid="own-loss-text">
            Support loss:{' '}
            {data.supportLoss
              .map((l, i) => (i === step ? <b key={i}>{formatLoss(l)}</b> : <span key={i}>{formatLoss(l)}</span>))
              .reduce<ReactNode[]>((a, x, i) => (i ? [...a, ' → ', x] : [x]), [])}
            {step === 0 && <span className="muted"> · at step 0 the head is zero: every class is equally likely</span>}
          </p>
          {known && (
            <p className="small" data-testid="own-score">
              Correct on the example queries (after {last} step{last === 1 ? '' : 's'}):{' '}
              <b>
                meta-learned {score(data.predicted.map((p) => p.label))}/{queries.length}
              </b>
              {data.baselines.map((b) =>
                b.unavailable ? null : (
                  <span key={b.id}>
                    {' '}
                    · {b.name} {score(b.predicted.map((p) => p.label))}/{queries.length}
                  </span>
                ),
              )}
            </p>
          )}
          {data.baselines
            .filter((b) => b.unavailable)
            .map((b) => (
              <p key={b.id} className="muted small">
                {b.name}: {b.unavailable}
              </p>
            ))}
        </div>
        <LossPerStep series={loss} step={step} />
      </div>
      <OwnMistakes probs={data.probs[last]} names={names} queries={queries} supports={result.supports} steps={last} />
      {queries.map((q, i) => {
        const row = probs.subarray(i * way, (i + 1) * way);
        const pred = mostProbableClass(probs, i, way);
        const ok = q.expected === undefined ? null : pred === q.expected;
        return (
          <div key={q.id} className="own-result" data-testid="own-result">
            <Glyph pixels={q.bytes} size={48} label={`query ${q.name}`} />
            <div>
              <div>
                {step === 0 ? (
                  <span className="muted" data-testid="own-prediction-none">
                    step 0: no prediction yet, every class {(100 / way).toFixed(1)}%
                  </span>
                ) : (
                  <>
                    <b data-testid="own-prediction" data-probability={row[pred]}>
                      {names[pred]}
                    </b>{' '}
                    <span className="muted">{(100 * row[pred]).toFixed(0)}%</span>
                    {ok !== null && <span className={ok ? 'good' : 'bad'}> {ok ? '✓ right' : `✗ (it is ${names[q.expected!]})`}</span>}
                  </>
                )}
                <div className="muted small" data-testid="own-baselines">
                  after {last} step{last === 1 ? '' : 's'}:{' '}
                  {data.baselines
                    .filter((b) => !b.unavailable)
                    .map(
                      (b) =>
                        `${SHORT[b.id]} ${names[b.predicted[i].label]}${Number.isFinite(b.predicted[i].probability) ? ` ${(100 * b.predicted[i].probability).toFixed(0)}%` : ''}`,
                    )
                    .join(' · ')}
                </div>
              </div>
              <div
                className="prob-bars"
                role="img"
                aria-label={`probabilities for ${q.name} after ${step} steps: ${Array.from(row, (p, c) => `${names[c]} ${(100 * p).toFixed(0)}%`).join(', ')}`}
              >
                {Array.from(row, (p, c) => (
                  <div key={c} className="prob-row">
                    <span className="prob-name">{names[c]}</span>
                    <span className="prob-track">
                      <span className="prob-bar" style={{ width: `${Math.max(1, 100 * p)}%`, background: classColor(c) }} />
                    </span>
                    <span className="prob-value">{(100 * p).toFixed(1)}%</span>
                  </div>
                ))}
              </div>
            </div>
          </div>
        );
      })}
    </div>
  );
}
