import * as d3 from 'd3';
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  confusionMatrix,
  misclassified,
  topConfusions,
  type ConfusionMatrix,
  type ConfusionMode,
  type ConfusionRequest,
} from '../../maml/omniglot/confusion';
import type { ConfusionEpisode, FromOmniglotWorker, ToOmniglotWorker } from '../../worker/omniglotProtocol';
import { Glyph } from './Glyph';
import { MistakeCard, shortPercent } from './MistakeCard';
import './confusion.css';

const PX = 784;
const WAYS = [5, 10, 20];
const SHOTS = [1, 5];
/** Mistakes listed before "show all". */
const LISTED = 12;
/** Marks of the alphabets in mixed episodes (Okabe-Ito green and purple: not the matrix's blue and orange). */
const ALPHABET_COLORS = ['#009e73', '#cc79a7'];
const FIRST: ConfusionRequest = { way: 20, shot: 1, mode: 'within', seed: 1 };

const pretty = (name: string) => name.replace(/_/g, ' ');
const className = (c: number) => `class ${c + 1}`;

/** Relative luminance (WCAG) of a CSS colour. */
function luminance(color: string): number {
  const { r, g, b } = d3.rgb(color);
  const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}
/** Black or white text, whichever contrasts more with the cell. */
const textOn = (bg: string) => (luminance(bg) > 0.179 ? '#000' : '#fff');

type Shown = 'counts' | 'probs';
type Cell = { truth: number; predicted: number };

function Matrix({
  view,
  m,
  shown,
  selected,
  onSelect,
}: {
  view: ConfusionEpisode;
  m: ConfusionMatrix;
  shown: Shown;
  selected: Cell | null;
  onSelect: (c: Cell | null) => void;
}) {
  const { way, shot } = view.request;
  const max = shown === 'counts' ? Math.max(1, d3.max(m.perClass) ?? 1) : 1;
  const right = d3.scaleSequential(d3.interpolateBlues).domain([0, max]);
  const wrong = d3.scaleSequential(d3.interpolateOranges).domain([0, max]);
  const name = (c: number) => `${pretty(view.classes[c].alphabet)} ${view.classes[c].character.replace('character', '#')}`;
  const header = (c: number, axis: 'true' | 'predicted') => (
    <>
      <Glyph pixels={view.support} offset={c * shot * PX} size={22} label={`${axis} ${className(c)} (${name(c)}), its support drawing`} />
      <span className="confusion-index">{c + 1}</span>
    </>
  );
  // Mixed episodes: each class's alphabet marked on its headers (with a legend).
  const alphabets = [...new Set(view.classes.map((c) => c.alphabet))];
  const mark = (c: number, side: 'bottom' | 'left') =>
    view.request.mode === 'mixed'
      ? { boxShadow: `inset ${side === 'left' ? '4px 0' : '0 -4px'} 0 ${ALPHABET_COLORS[alphabets.indexOf(view.classes[c].alphabet) % 2]}` }
      : undefined;
  return (
    <>
      <p className="muted small confusion-help" id="confusion-help">
        Rows: the true class of each query (headed by its support drawing); columns: the class the adapted model predicts. Cells show{' '}
        {shown === 'counts' ? 'how many queries' : 'the mean probability (in %) the queries give each class'}; the diagonal (blue) is right,
        orange cells are confusions{shown === 'counts' ? ': choose one to list its queries below' : ''}.
      </p>
      {view.request.mode === 'mixed' && (
        <p className="small confusion-legend">
          Alphabet of each class, marked on its headers:{' '}
          {alphabets.map((a, i) => (
            <span key={a}>
              <span className="swatch" style={{ background: ALPHABET_COLORS[i % 2] }} /> {pretty(a)}{' '}
            </span>
          ))}
        </p>
      )}
      <div className="table-wrap confusion-wrap">
        <table className="confusion-matrix" data-testid="confusion-matrix" aria-describedby="confusion-help">
          <caption className="sr-only">Confusion matrix of the episode</caption>
          <thead>
            <tr>
              <th scope="col" className="confusion-corner">
                <span aria-hidden="true">true ↓ predicted →</span>
                <span className="sr-only">true class, then predicted class</span>
              </th>
              {Array.from({ length: way }, (_, c) => (
                <th key={c} scope="col" title={`predicted ${className(c)}: ${name(c)}`} style={mark(c, 'bottom')}>
                  {header(c, 'predicted')}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {Array.from({ length: way }, (_, t) => (
              <tr key={t}>
                <th scope="row" title={`true ${className(t)}: ${name(t)}`} style={mark(t, 'left')}>
                  {header(t, 'true')}
                </th>
                {Array.from({ length: way }, (_, p) => {
                  const count = m.counts[t * way + p];
                  const mean = m.meanProbs[t * way + p];
                  const v = shown === 'counts' ? count : mean >= 0.005 ? mean : 0; // tinted where a number is written
                  const bg = v > 0 ? (t === p ? right(v) : wrong(v)) : '#fff';
                  const text = shown === 'counts' ? (count ? String(count) : '') : mean >= 0.005 ? String(Math.round(100 * mean)) : '';
                  const isSelected = selected?.truth === t && selected.predicted === p;
                  return (
                    <td
                      key={p}
                      className={`${t === p ? 'diag' : ''}${isSelected ? ' selected' : ''}`}
                      style={{ background: bg, color: textOn(bg) }}
                      title={`true ${className(t)}, predicted ${className(p)}: ${count} of ${m.perClass[t]} queries; mean probability ${shortPercent(mean)}`}
                      data-testid="confusion-cell"
                      data-count={count}
                    >
                      {t !== p && count > 0 ? (
                        <button
                          type="button"
                          className="confusion-cell-button"
                          aria-pressed={isSelected}
                          aria-label={`${count} of ${className(t)} taken for ${className(p)}: list them`}
                          onClick={() => onSelect(isSelected ? null : { truth: t, predicted: p })}
                        >
                          {text}
                        </button>
                      ) : (
                        text
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/**
 * Inside the mistakes: one seeded held-out episode (mixed alphabets, or all classes from one
 * alphabet with support and queries by different drawers) as a confusion matrix, true class rows
 * and predicted class columns headed by the classes' support drawings, and each misclassified
 * query beside the support drawing it was taken for and the one it should have matched.
 * Asked of the worker when first opened.
 */
export function ConfusionView({
  send,
  subscribe,
  ready,
  iteration,
}: {
  send: (m: ToOmniglotWorker) => void;
  subscribe: (l: (m: FromOmniglotWorker) => void) => () => void;
  ready: boolean;
  /** The model's meta-iteration now, to say when the episode shown is from an older model. */
  iteration: number;
}) {
  const [open, setOpen] = useState(false);
  const [request, setRequest] = useState<ConfusionRequest>(FIRST);
  const [seedDraft, setSeedDraft] = useState(String(FIRST.seed));
  const [view, setView] = useState<ConfusionEpisode | null>(null);
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<Shown>('counts');
  const [selected, setSelected] = useState<Cell | null>(null);
  const [all, setAll] = useState(false);
  const latest = useRef<ConfusionRequest | null>(null);

  useEffect(
    () =>
      subscribe((m) => {
        if (m.type === 'confusion') {
          setView(m.view);
          const r = latest.current;
          if (
            r &&
            r.way === m.view.request.way &&
            r.shot === m.view.request.shot &&
            r.mode === m.view.request.mode &&
            r.seed === m.view.request.seed
          )
            setBusy(false);
        } else if (m.type === 'error') setBusy(false);
      }),
    [subscribe],
  );
  const ask = (next: ConfusionRequest) => {
    latest.current = next;
    setRequest(next);
    setSeedDraft(String(next.seed));
    setSelected(null);
    setAll(false);
    setBusy(true);
    send({ type: 'confusion', ...next });
  };
  // The first episode is computed when the panel is first opened (and the lab is ready).
  useEffect(() => {
    if (open && ready && !latest.current) ask(request);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, ready]);

  const m = useMemo(() => (view ? confusionMatrix(view.probs, view.queryLabels, view.request.way) : null), [view]);
  const mistakes = useMemo(() => (view ? misclassified(view.probs, view.queryLabels, view.request.way) : []), [view]);
  const listed = selected ? mistakes.filter((x) => x.truth === selected.truth && x.predicted === selected.predicted) : mistakes;
  const seedOk = /^\d{1,9}$/.test(seedDraft.trim());

  return (
    <details className="plot confusion" data-testid="confusion" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        <b>Inside the mistakes</b> <span className="muted">— which held-out characters one episode confuses, and with what</span>
      </summary>
      <div className="toolbar" role="toolbar" aria-label="Confusion episode">
        <label className="inline-field">
          classes from{' '}
          <select
            value={request.mode}
            data-testid="confusion-mode"
            disabled={!ready}
            onChange={(e) => ask({ ...request, mode: e.target.value as ConfusionMode })}
          >
            <option value="mixed">several alphabets (mixed)</option>
            <option value="within">one alphabet (within)</option>
          </select>
        </label>
        <label className="inline-field">
          way{' '}
          <select
            value={request.way}
            data-testid="confusion-way"
            disabled={!ready}
            onChange={(e) => ask({ ...request, way: Number(e.target.value) })}
          >
            {WAYS.map((w) => (
              <option key={w} value={w}>
                {w}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          shot{' '}
          <select
            value={request.shot}
            data-testid="confusion-shot"
            disabled={!ready}
            onChange={(e) => ask({ ...request, shot: Number(e.target.value) })}
          >
            {SHOTS.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          episode seed{' '}
          <input
            size={6}
            inputMode="numeric"
            value={seedDraft}
            data-testid="confusion-seed"
            aria-invalid={!seedOk}
            onChange={(e) => {
              setSeedDraft(e.target.value);
              if (ready && /^\d{1,9}$/.test(e.target.value.trim())) ask({ ...request, seed: Number(e.target.value.trim()) });
            }}
          />
        </label>
        <button type="button" disabled={!ready} data-testid="confusion-new" onClick={() => ask({ ...request, seed: request.seed + 1 })}>
          New episode
        </button>
        <label className="inline-field">
          cells show{' '}
          <select value={shown} data-testid="confusion-shown" onChange={(e) => setShown(e.target.value as Shown)}>
            <option value="counts">counts</option>
            <option value="probs">mean probabilities</option>
          </select>
        </label>
        {!seedOk && (
          <span className="error-text" role="alert">
            The seed is a whole number, 0 or more.
          </span>
        )}
      </div>
      <p className="muted small" role="status" data-testid="confusion-status">
        {!ready ? 'Waiting for the lab to start…' : busy ? 'Adapting to the episode…' : ''}
        {view && !busy && view.iteration !== iteration && (
          <>
            The model has trained since (meta-iteration {view.iteration} then, {iteration} now).{' '}
            <button type="button" className="link" onClick={() => ask(request)}>
              Recompute
            </button>
          </>
        )}
      </p>
      {view && m && (
        <>
          <p className="small" data-testid="confusion-summary">
            Episode seed <b data-testid="confusion-episode-seed">{view.request.seed}</b> · {view.request.way}-way {view.request.shot}-shot{' '}
            {view.request.mode === 'within' ? (
              <>
                within <b>{pretty(view.classes[0].alphabet)}</b>, support and queries by different drawers
              </>
            ) : (
              <>mixing {[...new Set(view.classes.map((c) => pretty(c.alphabet)))].join(' and ')}</>
            )}{' '}
            · <b data-testid="confusion-correct">{m.correct}</b> of <b data-testid="confusion-total">{m.total}</b> queries right (
            {Math.round((100 * m.correct) / Math.max(1, m.total))}%) after {view.steps} step{view.steps === 1 ? '' : 's'} (α ={' '}
            {+view.alpha.toFixed(3)}) · model at meta-iteration {view.iteration}
          </p>
          <Matrix view={view} m={m} shown={shown} selected={selected} onSelect={setSelected} />
          <section className="confusion-mistakes" aria-label="Misclassified queries" data-testid="confusion-mistakes">
            <h4>
              {mistakes.length ? (
                <>
                  {mistakes.length} misclassified quer{mistakes.length === 1 ? 'y' : 'ies'}
                  <span className="muted">, the most confident mistakes first</span>
                </>
              ) : (
                'No query is misclassified in this episode.'
              )}
            </h4>
            {mistakes.length > 0 && (
              <p className="muted small">
                Most confused:{' '}
                {topConfusions(m)
                  .map((c) => `${className(c.truth)} taken for ${className(c.predicted)} (${c.count} of ${m.perClass[c.truth]})`)
                  .join('; ')}
                {view.request.mode === 'mixed' &&
                  `. ${mistakes.filter((x) => view.classes[x.truth].alphabet === view.classes[x.predicted].alphabet).length} of the ${mistakes.length} mistakes take a character for another of its own alphabet`}
                .
              </p>
            )}
            {selected && (
              <p className="small">
                Showing {className(selected.truth)} taken for {className(selected.predicted)}.{' '}
                <button type="button" className="link" onClick={() => setSelected(null)}>
                  Show every mistake
                </button>
              </p>
            )}
            <ul className="mistake-list">
              {(all || selected ? listed : listed.slice(0, LISTED)).map((x) => (
                <MistakeCard
                  key={x.query}
                  query={{ pixels: view.query, offset: x.query * PX }}
                  queryName={`query ${x.query + 1}`}
                  taken={{
                    pixels: view.support,
                    offset: x.predicted * view.request.shot * PX,
                    name: className(x.predicted),
                    p: x.pPredicted,
                  }}
                  is={{ pixels: view.support, offset: x.truth * view.request.shot * PX, name: className(x.truth), p: x.pTruth }}
                />
              ))}
            </ul>
            {!all && !selected && listed.length > LISTED && (
              <button type="button" className="link" data-testid="confusion-all" onClick={() => setAll(true)}>
                Show all {listed.length}
              </button>
            )}
          </section>
        </>
      )}
    </details>
  );
}
