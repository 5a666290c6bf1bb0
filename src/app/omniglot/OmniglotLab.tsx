import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { usePauseWhileHidden } from '../usePauseWhileHidden';
import { useSaveOnLeave } from '../useSaveOnLeave';
import { CONV_ALGORITHMS, type ConvAlgorithm } from '../../maml/algorithm/algorithm';
import { DEFAULT_OMNIGLOT_CONFIG, OMNIGLOT_PRESETS, type OmniglotConfig, type OmniglotPreset } from '../../maml/omniglot/config';
import { EPISODE_LIMITS } from '../../maml/omniglot/tasks';
import type { EpisodeRequest } from '../../worker/omniglotProtocol';
import { ALGORITHM_LABELS } from '../../maml/algorithm/algorithm';
import { EpisodeView } from './EpisodeView';
import { EvaluationTable } from './EvaluationTable';
import { ConfusionView } from './ConfusionView';
import { OmniglotCurves, describeChange } from './OmniglotCurves';
import { OmniglotCompare } from './OmniglotCompare';
import { linkedConfig, parseOmniglotUrl, serialiseOmniglotUrl, type OmniglotPanel } from './omniglotUrl';
import { OMNIGLOT_SETTINGS, TRAINING_FIELDS } from '../../maml/omniglot/settings';
import { parseSetting } from '../../maml/settings/table';
import { parseBounded } from '../../maml/settings/numberText';
import { OwnClasses } from './OwnClasses';
import { useOmniglot } from './useOmniglot';
import type { OmniglotTourStep } from './omniglotTourSteps';
import { OMNIGLOT_LESSONS, type OmniglotLesson } from '../../maml/omniglot/lessons';

const OmniglotTour = lazy(() => import('./OmniglotTour'));
import { ModelFiles, saveModelFiles, type ModelFileMessage } from '../share/ModelFiles';

const URL_STATE = parseOmniglotUrl(location.search);
const EMBED = new URLSearchParams(location.search).get('embed') === '1';
const FIRST_EPISODE: EpisodeRequest = { ...URL_STATE.state.episode, queries: URL_STATE.state.episode.way > 10 ? 1 : 2 };

/** A whole number typed into one of the lab's fields (digits only), or why not. */
function readInt(text: string, lo: number, hi: number, what: string): { value?: number; error?: string } {
  const r = parseBounded(text, lo, hi, true, `must be from ${lo} to ${hi}`);
  return 'error' in r ? { error: `${what}: ${r.error}` } : r;
}

function Settings({
  config,
  onApply,
  onScratch,
  scratchDefault,
  disabled,
  onGpu,
  shown,
}: {
  config: OmniglotConfig;
  /** What Train from scratch starts with while no field is touched; null: the fields as they are. */
  scratchDefault: OmniglotConfig | null;
  onApply: (c: OmniglotConfig) => void;
  onScratch: (c: OmniglotConfig) => void;
  disabled: boolean;
  onGpu: boolean;
  shown: (p: OmniglotPanel) => boolean;
}) {
  const [draft, setDraft] = useState<Record<string, string>>(() =>
    Object.fromEntries(TRAINING_FIELDS.map((f) => [f.key, String(config[f.key])])),
  );
  const [algorithm, setAlgorithm] = useState<ConvAlgorithm>(config.algorithm);
  /** Whether the person changed a field, the algorithm or chose a preset since the model loaded. */
  const [touched, setTouched] = useState(false);
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const parse = (): OmniglotConfig | null => {
    const next = { ...config, algorithm } as OmniglotConfig;
    const errs: Record<string, string | undefined> = {};
    for (const f of TRAINING_FIELDS) {
      const r = parseSetting(OMNIGLOT_SETTINGS, f, draft[f.key]);
      if (r.error) errs[f.key] = r.error;
      else (next as unknown as Record<string, number>)[f.key] = r.value as number;
    }
    setErrors(errs);
    return Object.values(errs).some(Boolean) ? null : next;
  };
  const applyPreset = (name: string) => {
    const p = OMNIGLOT_PRESETS[name as OmniglotPreset];
    if (!p) return;
    setDraft((d) => ({ ...d, ...Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)])) }));
    setTouched(true);
    setErrors({});
  };
  return (
    <section className="controls" aria-label="Meta-training settings">
      {shown('preset') && (
        <div className="field">
          <label htmlFor="o-preset">Preset</label>
          <select id="o-preset" data-testid="omniglot-preset" defaultValue="" onChange={(e) => applyPreset(e.target.value)}>
            <option value="" disabled>
              paper settings…
            </option>
            {Object.keys(OMNIGLOT_PRESETS).map((k) => (
              <option key={k} value={k}>
                {k} (paper)
              </option>
            ))}
          </select>
          <small className="muted">fills the fields; then Apply or Train from scratch</small>
        </div>
      )}
      {shown('algorithm') && (
        <div className="field">
          <label htmlFor="o-algorithm">Algorithm</label>
          <select
            id="o-algorithm"
            value={algorithm}
            onChange={(e) => {
              setAlgorithm(e.target.value as ConvAlgorithm);
              setTouched(true);
            }}
          >
            {CONV_ALGORITHMS.map((a) => (
              <option key={a} value={a}>
                {ALGORITHM_LABELS[a]}
              </option>
            ))}
          </select>
        </div>
      )}
      {TRAINING_FIELDS.filter((f) => shown(f.key)).map((f) => (
        <div className={`field${errors[f.key] ? ' invalid' : ''}`} key={f.key}>
          <label htmlFor={`o-${f.key}`}>{f.label}</label>
          <input
            id={`o-${f.key}`}
            inputMode="decimal"
            value={draft[f.key]}
            aria-invalid={Boolean(errors[f.key])}
            aria-describedby={`oh-${f.key}`}
            onChange={(e) => {
              setDraft((d) => ({ ...d, [f.key]: e.target.value }));
              setTouched(true);
            }}
          />
          <small id={`oh-${f.key}`} className={errors[f.key] ? 'error' : 'muted'} role={errors[f.key] ? 'alert' : undefined}>
            {errors[f.key] ??
              (f.key === 'filters'
                ? `${f.hint}; ${onGpu ? '64 (the paper) suits your GPU' : '32 suits the CPU kernel, 64 is about 2x slower'}`
                : f.hint)}
          </small>
        </div>
      ))}
      <div className="toolbar">
        <button
          disabled={disabled}
          data-testid="apply-settings"
          onClick={() => {
            const c = parse();
            if (c) onApply(c);
          }}
        >
          Apply
        </button>
        <button
          disabled={disabled}
          data-testid="scratch"
          onClick={() => {
            const c = parse();
            if (!c) return;
            // The fields show the loaded model's last phase (the shipped one's is a slow fine-tuning rate): untouched, and
            // with no settings from a link, a new network starts with the paper's settings (scratchDefault).
            const fresh = touched || !scratchDefault ? c : scratchDefault;
            const what =
              fresh === c
                ? 'these settings'
                : `the paper's 5-way 1-shot settings (meta-batch ${fresh.metaBatch}, α ${fresh.alpha}, meta-lr ${fresh.metaLr}, ${fresh.filters} filters)`;
            if (confirm(`Start a new network from a random initialisation with ${what}? The current model is kept only if you saved it.`))
              onScratch(fresh);
          }}
        >
          Train from scratch
        </button>
      </div>
      <small className="muted" data-testid="scratch-hint">
        {touched || !scratchDefault
          ? 'Train from scratch uses the fields as they are.'
          : `Train from scratch starts with the paper's 5-way 1-shot settings at ${scratchDefault.filters} filters; the fields show the loaded model's last training phase.`}
      </small>
    </section>
  );
}

/** The Omniglot lab; `active` is false while another tab is open (training pauses and is saved, the state stays). */
/** Query drawings shown per class: two, or one when there are many classes. */
const queriesShown = (way: number) => (way > 10 ? 1 : 2);

export function OmniglotLab({ active = true }: { active?: boolean }) {
  const { state, send, dismiss, subscribe, retry } = useOmniglot(FIRST_EPISODE, URL_STATE.state.workers);
  // The guided tour: the step shown, or null.
  const [tourIndex, setTourIndex] = useState<number | null>(null);
  const tourEnter = (step: OmniglotTourStep) => {
    if (step.setup.pause && state.running) send({ type: 'pause' });
    const e = step.setup.episode;
    if (e && (episode.way !== e.way || episode.shot !== e.shot)) showEpisode(e.way, e.shot);
  };
  // Export and import of the meta-learned model: the line under the controls.
  const [files, setFiles] = useState<ModelFileMessage>(null);
  useEffect(
    () =>
      subscribe((m) => {
        if (m.type === 'modelFiles') setFiles(saveModelFiles(m.files, m.note));
        else if (m.type === 'importResult') setFiles({ kind: m.ok ? 'ok' : 'error', text: m.message });
      }),
    [subscribe],
  );
  usePauseWhileHidden(
    active,
    state.running,
    useCallback(() => send({ type: 'pause' }), [send]),
  );
  useSaveOnLeave(useCallback(() => send({ type: 'persist' }), [send]));
  const [episode, setEpisode] = useState<EpisodeRequest>(FIRST_EPISODE);
  const [episodeDraft, setEpisodeDraft] = useState({ way: String(FIRST_EPISODE.way), shot: String(FIRST_EPISODE.shot) });
  // Settings a link asked for or this page applied, over the model's own (kept in the URL).
  const [applied, setApplied] = useState<Partial<OmniglotConfig>>(URL_STATE.state.config);
  const [linkNote, setLinkNote] = useState<string | null>(
    URL_STATE.problems.length ? `Some link settings were ignored: ${URL_STATE.problems.join('; ')}` : null,
  );
  const base = useRef<OmniglotConfig | null>(null);
  const [episodeError, setEpisodeError] = useState<string | null>(null);
  const [targetDraft, setTargetDraft] = useState('');
  const [targetError, setTargetError] = useState<string | null>(null);
  const [evalEpisodes, setEvalEpisodes] = useState('600');
  const [evalError, setEvalError] = useState<string | null>(null);
  const ready = state.phase === 'ready';
  const config = state.config;
  /** Parts hidden by the link (o.hide); embedded in a lesson page (embed=1), the introduction goes too. */
  const shown = (p: OmniglotPanel) => !URL_STATE.state.hide.includes(p) && !(p === 'intro' && EMBED);

  // Once the model is known, a link's settings are applied to it (a new network when the filters differ).
  useEffect(() => {
    if (!ready || !config || base.current) return;
    base.current = config;
    const wanted = linkedConfig(config, applied);
    if (!wanted) return;
    send(wanted.filters !== config.filters ? { type: 'scratch', config: wanted } : { type: 'setConfig', config: wanted });
    setLinkNote(
      (n) =>
        `${n ? `${n}. ` : ''}Settings from the link applied: ${describeChange(Object.fromEntries(Object.entries(applied).filter(([k, v]) => config[k as keyof OmniglotConfig] !== v)))}.`,
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready, config]);
  useEffect(() => {
    const search = serialiseOmniglotUrl(
      { episode: { way: episode.way, shot: episode.shot, serial: episode.serial }, hide: URL_STATE.state.hide, config: applied },
      base.current ?? undefined,
      location.search,
    );
    history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
  }, [episode, applied]);
  const applySettings = (c: OmniglotConfig, scratch: boolean) => {
    const from = base.current ?? c;
    setApplied(Object.fromEntries(Object.entries(c).filter(([k, v]) => from[k as keyof OmniglotConfig] !== v)) as Partial<OmniglotConfig>);
    send(scratch ? { type: 'scratch', config: c } : { type: 'setConfig', config: c });
  };
  const [copied, setCopied] = useState<string | null>(null);
  const copyLink = async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      setCopied('Link copied: it opens this episode with these settings.');
    } catch {
      setCopied(`Copy this link: ${location.href}`);
    }
  };

  const requestEpisode = (next: EpisodeRequest) => {
    setEpisode(next);
    send({ type: 'episode', episode: next });
  };
  const newEpisode = (serialStep: number) => {
    const way = readInt(episodeDraft.way, EPISODE_LIMITS.way[0], EPISODE_LIMITS.way[1], 'Way');
    const shot = readInt(episodeDraft.shot, EPISODE_LIMITS.shot[0], EPISODE_LIMITS.shot[1], 'Shot');
    const error = way.error ?? shot.error ?? null;
    setEpisodeError(error);
    if (error) return;
    requestEpisode({ way: way.value!, shot: shot.value!, queries: queriesShown(way.value!), serial: episode.serial + serialStep });
  };
  /** An N-way K-shot episode set by a tour step or a lesson, in the fields too. */
  const showEpisode = (way: number, shot: number) => {
    setEpisodeDraft({ way: String(way), shot: String(shot) });
    requestEpisode({ way, shot, queries: queriesShown(way), serial: episode.serial });
  };
  const defaultTarget = state.iteration + 500;
  const play = () => {
    if (state.running) return send({ type: 'pause' });
    const t =
      targetDraft.trim() === '' ? { value: defaultTarget } : readInt(targetDraft, state.iteration + 1, 1_000_000, 'Target iteration');
    setTargetError(t.error ?? null);
    if (t.value !== undefined) send({ type: 'play', target: t.value });
  };
  const [withBaseline, setWithBaseline] = useState(true);
  // A lesson sets the lab up for one claim and says what to look at; the comparison lesson starts the comparison panel.
  const [lesson, setLesson] = useState<OmniglotLesson | null>(null);
  const [compareLesson, setCompareLesson] = useState<{ algorithms: OmniglotLesson['compare']; serial: number } | null>(null);
  /** The test steps a lesson replaced, given back when it closes or another lesson opens. */
  const [stepsBeforeLesson, setStepsBeforeLesson] = useState<number | null>(null);
  const setTestSteps = (testSteps: number) => {
    if (config && testSteps !== config.testSteps) send({ type: 'setConfig', config: { ...config, testSteps } });
  };
  const closeLesson = () => {
    setLesson(null);
    if (stepsBeforeLesson !== null) setTestSteps(stepsBeforeLesson);
    setStepsBeforeLesson(null);
  };
  const applyLesson = (id: string) => {
    const l = OMNIGLOT_LESSONS.find((x) => x.id === id);
    if (!l || !config) return;
    setLesson(l);
    if (state.running) send({ type: 'pause' });
    if (l.episode) showEpisode(l.episode.way, l.episode.shot);
    const ownSteps = stepsBeforeLesson ?? config.testSteps;
    setTestSteps(l.testSteps ?? ownSteps);
    setStepsBeforeLesson(l.testSteps !== undefined && l.testSteps !== ownSteps ? ownSteps : null);
    if (l.evaluate) {
      setEvalEpisodes(String(l.evaluate.episodes));
      setWithBaseline(true);
      send({ type: 'evaluate', episodes: l.evaluate.episodes, pretrained: true, settings: l.evaluate.settings });
    }
    if (l.compare) setCompareLesson({ algorithms: l.compare, serial: (compareLesson?.serial ?? 0) + 1 });
    const panel = l.compare ? 'compare' : l.evaluate ? 'evaluation' : 'episode';
    setTimeout(() => document.querySelector(`[data-lab="omniglot"] [data-panel="${panel}"]`)?.scrollIntoView({ block: 'start' }), 100);
  };
  const evaluate = () => {
    const n = readInt(evalEpisodes, 10, 5000, 'Episodes per setting');
    setEvalError(n.error ?? null);
    if (n.value !== undefined) send({ type: 'evaluate', episodes: n.value, pretrained: withBaseline });
  };
  const progress = state.target > 0 ? Math.min(1, state.iteration / Math.max(1, state.target)) : 0;

  return (
    <div className="app">
      {shown('intro') && (
        <header>
          <h1>
            MAML Lab <span className="muted">Omniglot: one example of a new character is enough</span>
          </h1>
          <p className="lede">
            Each episode draws <em>N</em> characters the network has never seen, from alphabets held out of meta-training, and gives it{' '}
            <em>K</em> drawings of each. Starting from the meta-learned initialisation, a few gradient steps on those drawings teach it to
            tell the characters apart. MAML meta-trains the initialisation so that this works (Finn, Abbeel &amp; Levine, 2017, section
            5.2).
          </p>
        </header>
      )}
      {shown('status') && (
        <section className="status" aria-live="polite" data-testid="omniglot-status">
          {state.phase === 'starting' && (
            <span>
              <span className="spinner" aria-hidden="true" />
              {state.status}
            </span>
          )}
          {state.phase === 'starting' && state.loading && state.loading.loaded < state.loading.total && (
            <span className="loading" data-testid="omniglot-loading">
              <progress max={state.loading.total} value={state.loading.loaded} aria-label={`Loading ${state.loading.what}`} />{' '}
              {state.loading.what}: {(state.loading.loaded / 1e6).toFixed(1)} of {(state.loading.total / 1e6).toFixed(1)} MB
            </span>
          )}
          {state.phase === 'failed' && (
            <span role="alert">
              <span className="error-text" data-testid="omniglot-failed">
                {state.error}
              </span>{' '}
              <button type="button" data-testid="omniglot-retry" onClick={retry}>
                Retry
              </button>
            </span>
          )}
          {ready && state.ready && (
            <>
              <span>
                Backend <b data-testid="omniglot-backend">{state.ready.backend}</b>
              </span>
              <span className="muted" data-testid="omniglot-engine">
                {state.ready.engine}
              </span>
              {(state.ready.backend === 'wasm' || state.ready.backend === 'cpu') && (
                <span data-testid="omniglot-workers">
                  <b>{state.ready.workers}</b> {state.ready.workers === 1 ? 'thread' : 'threads'}
                </span>
              )}
              <span data-testid="omniglot-iteration">
                meta-iteration <b>{state.iteration.toLocaleString('en')}</b>
              </span>
              <span data-testid="omniglot-rate">
                {state.running ? (
                  <>
                    <b>{state.itersPerSec.toFixed(2)}</b> meta-it/s
                  </>
                ) : (
                  'not training'
                )}
              </span>
              {state.dispatches !== undefined && (
                <span data-testid="omniglot-dispatches">
                  <b>{state.dispatches}</b> GPU dispatches per meta-iteration
                </span>
              )}
              <span className="muted" data-testid="omniglot-source">
                {state.running ? 'training' : 'paused'} · {state.sourceNote}
                {state.savedAt && ` · saved in this browser`}
              </span>
              <details>
                <summary>why {state.ready.backend}?</summary>
                <p data-testid="omniglot-reason">{state.ready.reason}</p>
                <p>
                  Data: {state.ready.dataset.alphabets} alphabets, {state.ready.dataset.characters} characters, {state.ready.dataset.images}{' '}
                  drawings. Meta-training alphabets: {state.ready.dataset.trainAlphabets.join(', ').replace(/_/g, ' ')}. Held out for
                  meta-testing: {state.ready.dataset.testAlphabets.join(', ').replace(/_/g, ' ')}.
                </p>
              </details>
            </>
          )}
          {state.status && ready && <span className="muted">{state.status}</span>}
          {state.storage && (
            <span className="muted" data-testid="omniglot-storage">
              {state.storage}
            </span>
          )}
        </section>
      )}
      {state.error && ready && (
        <div className="alert error" role="alert" data-testid="omniglot-alert">
          <span>{state.error}</span>
          <button onClick={dismiss}>Dismiss</button>
        </div>
      )}
      {shown('training') && (
        <div className="toolbar" role="toolbar" aria-label="Meta-training">
          <button className="primary" disabled={!ready} data-testid="omniglot-play" onClick={play}>
            {state.running ? '❚❚ Pause' : '▶ Train'}
          </button>
          <label className="inline-field">
            to iteration{' '}
            <input
              size={7}
              inputMode="numeric"
              value={targetDraft}
              placeholder={String(state.running ? state.target : defaultTarget)}
              aria-invalid={Boolean(targetError)}
              data-testid="omniglot-target"
              onChange={(e) => setTargetDraft(e.target.value)}
              onKeyDown={(e) =>
                e.key === 'Enter' &&
                state.running &&
                (() => {
                  const t = readInt(targetDraft, state.iteration + 1, 1_000_000, 'Target iteration');
                  setTargetError(t.error ?? null);
                  if (t.value) send({ type: 'setTarget', target: t.value });
                })()
              }
            />
          </label>
          <progress max={1} value={progress} aria-label="Progress toward the target iteration" data-testid="omniglot-progress" />
          <span className="muted small">
            {state.iteration.toLocaleString('en')} / {state.target.toLocaleString('en')}
          </span>
          <button disabled={!ready} data-testid="omniglot-save" onClick={() => send({ type: 'save' })}>
            Save
          </button>
          <button
            disabled={!ready}
            data-testid="omniglot-reset"
            onClick={() =>
              ((state.source !== 'saved' && state.source !== 'imported') ||
                confirm('Discard your saved training and go back to the shipped meta-trained model?')) &&
              send({ type: 'reset' })
            }
          >
            Reset to shipped model
          </button>
          <button data-testid="omniglot-copy-link" onClick={copyLink}>
            Copy link
          </button>
          <select
            value={lesson?.id ?? ''}
            onChange={(e) => applyLesson(e.target.value)}
            disabled={!ready}
            data-testid="omniglot-lesson"
            aria-label="Lesson: sets the lab up to show one thing"
          >
            <option value="" disabled>
              Lesson…
            </option>
            {OMNIGLOT_LESSONS.map((l) => (
              <option key={l.id} value={l.id}>
                {l.title}
              </option>
            ))}
          </select>
          <button data-testid="omniglot-tour-start" onClick={() => setTourIndex(0)}>
            Take the tour
          </button>
          {targetError && (
            <span className="error-text" role="alert">
              {targetError}
            </span>
          )}
        </div>
      )}
      {shown('training') && (
        <ModelFiles
          lab="omniglot"
          ready={ready && !state.running}
          safetensors
          onExport={(format) => send({ type: 'exportModel', format })}
          onImport={(upload) => send({ type: 'importModel', upload })}
          message={files}
          setMessage={setFiles}
        />
      )}
      {lesson && (
        <p className="notice" role="status" data-testid="omniglot-lesson-note">
          <b>{lesson.title}.</b> {lesson.says}{' '}
          <button type="button" className="link" onClick={closeLesson} data-testid="omniglot-lesson-close">
            {stepsBeforeLesson !== null
              ? `Close (back to ${stepsBeforeLesson} test ${stepsBeforeLesson === 1 ? 'step' : 'steps'})`
              : 'Close'}
          </button>
        </p>
      )}
      {(copied || linkNote) && (
        <p className="notice" role="status" data-testid="omniglot-link-note">
          {copied ?? linkNote}
        </p>
      )}
      <main className={shown('settings') ? undefined : 'no-controls'}>
        {!shown('settings') ? null : config ? (
          <Settings
            key={`${state.iteration === 0}-${state.source}-${JSON.stringify(config)}`}
            config={config}
            disabled={!ready}
            onGpu={state.ready?.backend === 'webgpu' || state.ready?.backend === 'webgl'}
            onApply={(c) => applySettings(c, false)}
            onScratch={(c) => applySettings(c, true)}
            scratchDefault={Object.keys(applied).length ? null : DEFAULT_OMNIGLOT_CONFIG}
            shown={shown}
          />
        ) : (
          <section className="controls muted">Loading…</section>
        )}
        <div className="panels">
          {shown('episode') && (
            <div data-panel="episode">
              <div className="toolbar" role="toolbar" aria-label="Episode">
                <label className="inline-field">
                  way N{' '}
                  <input
                    size={3}
                    inputMode="numeric"
                    value={episodeDraft.way}
                    data-testid="episode-way"
                    aria-invalid={Boolean(episodeError)}
                    onChange={(e) => setEpisodeDraft((d) => ({ ...d, way: e.target.value }))}
                  />
                </label>
                <label className="inline-field">
                  shot K{' '}
                  <input
                    size={3}
                    inputMode="numeric"
                    value={episodeDraft.shot}
                    data-testid="episode-shot"
                    aria-invalid={Boolean(episodeError)}
                    onChange={(e) => setEpisodeDraft((d) => ({ ...d, shot: e.target.value }))}
                  />
                </label>
                <button disabled={!ready} data-testid="new-episode" onClick={() => newEpisode(1)}>
                  New episode
                </button>
                <button disabled={!ready} onClick={() => newEpisode(0)}>
                  Apply N, K
                </button>
                {episodeError && (
                  <span className="error-text" role="alert" data-testid="episode-error">
                    {episodeError}
                  </span>
                )}
              </div>
              {state.episode ? <EpisodeView view={state.episode} /> : <p className="plot muted">Preparing an episode…</p>}
            </div>
          )}
          {shown('own') && (
            <div data-panel="own">
              <OwnClasses send={send} subscribe={subscribe} ready={ready} defaultSteps={config?.testSteps ?? 1} />
            </div>
          )}
          {shown('curves') && (
            <div data-panel="curves">
              <OmniglotCurves points={state.curves} events={state.events} />
            </div>
          )}
          {shown('compare') && (
            <div data-panel="compare">
              <OmniglotCompare send={send} subscribe={subscribe} ready={ready} config={config} active={active} lesson={compareLesson} />
            </div>
          )}
          {shown('evaluation') && (
            <section className="plot" aria-label="Meta-test evaluation" data-panel="evaluation">
              <h3>Meta-test evaluation</h3>
              <div className="toolbar">
                <label className="inline-field">
                  episodes per setting{' '}
                  <input
                    size={5}
                    inputMode="numeric"
                    value={evalEpisodes}
                    data-testid="eval-episodes"
                    aria-invalid={Boolean(evalError)}
                    onChange={(e) => setEvalEpisodes(e.target.value)}
                  />
                </label>
                <button disabled={!ready} data-testid="evaluate" onClick={evaluate}>
                  Evaluate on held-out alphabets
                </button>
                <label className="inline-field">
                  <input
                    type="checkbox"
                    checked={withBaseline}
                    onChange={(e) => setWithBaseline(e.target.checked)}
                    data-testid="evaluate-baseline"
                  />{' '}
                  with the pretrained baseline
                </label>
                {state.evaluation?.running && <button onClick={() => send({ type: 'stopEvaluation' })}>Stop</button>}
                {evalError && (
                  <span className="error-text" role="alert">
                    {evalError}
                  </span>
                )}
              </div>
              {state.evaluation ? (
                <EvaluationTable rows={state.evaluation.rows} running={state.evaluation.running} iteration={state.evaluation.iteration} />
              ) : (
                <p className="muted small">
                  5-way and 20-way, 1-shot and 5-shot, each over the chosen number of episodes from the held-out alphabets, beside the
                  paper's numbers. It runs in the background; training can go on.
                </p>
              )}
            </section>
          )}
          {shown('confusion') && <ConfusionView send={send} subscribe={subscribe} ready={ready} iteration={state.iteration} />}
        </div>
      </main>
      <footer className="muted">
        Omniglot data: Lake, Salakhutdinov &amp; Tenenbaum (2015),{' '}
        <i>Human-level concept learning through probabilistic program induction</i>, Science; the images_background_small1 and small2 sets
        from github.com/brendenlake/omniglot (MIT licence), packed at install time to 28×28. Network: four 3×3 convolutions with stride 2,
        batch norm and ReLU, then a linear head that starts at zero in every episode, so one network serves 2 to 20 classes.
      </footer>
      {tourIndex !== null && !EMBED && (
        <Suspense fallback={null}>
          <OmniglotTour index={tourIndex} onIndex={setTourIndex} onClose={() => setTourIndex(null)} onEnter={tourEnter} />
        </Suspense>
      )}
    </div>
  );
}
