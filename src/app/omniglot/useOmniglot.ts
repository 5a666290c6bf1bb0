import { supervisedWorker, type Supervised } from '../supervisedWorker';
import { startTransition, useCallback, useEffect, useReducer, useRef } from 'react';
import type { OmniglotConfig } from '../../maml/omniglot/config';
import type {
  EpisodeRequest,
  EpisodeView,
  EvaluationRow,
  FromOmniglotWorker,
  ModelSource,
  OmniglotCurvePoint,
  SettingsEvent,
  ToOmniglotWorker,
} from '../../worker/omniglotProtocol';

type Ready = Extract<FromOmniglotWorker, { type: 'ready' }>;

export interface OmniglotState {
  phase: 'starting' | 'ready' | 'failed';
  /** A download in progress while the lab starts. */
  loading?: { what: string; loaded: number; total: number };
  status: string;
  ready?: Omit<Ready, 'type' | 'curves' | 'events' | 'config' | 'iteration' | 'source' | 'sourceNote' | 'savedAt'>;
  config?: OmniglotConfig;
  iteration: number;
  target: number;
  running: boolean;
  itersPerSec: number;
  /** WebGPU compute dispatches per meta-iteration (training on WebGPU only). */
  dispatches?: number;
  source: ModelSource;
  sourceNote: string;
  savedAt: string | null;
  /** Why training is not saved in this browser, or a saved state was discarded. */
  storage?: string;
  curves: OmniglotCurvePoint[];
  events: SettingsEvent[];
  episode?: EpisodeView;
  evaluation?: { rows: EvaluationRow[]; running: boolean; iteration: number };
  error?: string;
}

const initial: OmniglotState = {
  phase: 'starting',
  status: 'Starting the worker…',
  iteration: 0,
  target: 0,
  running: false,
  itersPerSec: 0,
  source: 'shipped',
  sourceNote: '',
  savedAt: null,
  curves: [],
  events: [],
};

type Action = FromOmniglotWorker | { type: 'dismiss' } | { type: 'retry' };

function reduce(s: OmniglotState, m: Action): OmniglotState {
  switch (m.type) {
    case 'retry':
      return initial;
    case 'status':
      return { ...s, status: m.message };
    case 'loading':
      return { ...s, loading: { what: m.what, loaded: m.loaded, total: m.total } };
    case 'storage':
      return { ...s, storage: m.message };
    case 'engine':
      return s.ready ? { ...s, ready: { ...s.ready, backend: m.backend, engine: m.engine, workers: m.workers, reason: m.reason } } : s;
    case 'ready': {
      const { type: _, curves, events, config, iteration, source, sourceNote, savedAt, ...ready } = m;
      return { ...s, phase: 'ready', status: '', ready, config, iteration, target: iteration, source, sourceNote, savedAt, curves, events };
    }
    case 'model':
      return {
        ...s,
        iteration: m.iteration,
        target: m.iteration,
        source: m.source,
        sourceNote: m.sourceNote,
        config: m.config,
        curves: m.curves,
        events: m.events,
        savedAt: m.savedAt,
        evaluation: undefined,
      };
    case 'episode':
      return { ...s, episode: m.view };
    case 'progress':
      return {
        ...s,
        iteration: m.iteration,
        target: m.target,
        running: m.running,
        itersPerSec: m.itersPerSec,
        dispatches: m.dispatches,
        curves: m.points.length ? [...s.curves, ...m.points] : s.curves,
      };
    case 'saved':
      return { ...s, savedAt: m.at, source: 'saved', sourceNote: `your saved training, ${m.iteration} iterations` };
    case 'evaluation':
      return { ...s, evaluation: m.rows.length ? { rows: m.rows, running: m.running, iteration: m.iteration } : undefined };
    case 'error':
      return { ...s, phase: s.phase === 'starting' ? 'failed' : s.phase, error: m.message, running: false };
    case 'dismiss':
      return { ...s, error: undefined };
    case 'preprocessed':
    case 'exampleSet':
    case 'classified':
    case 'classifierExport':
    case 'modelFiles':
    case 'importResult':
    case 'batchProgress':
    case 'batchResult':
    case 'compareStarted':
    case 'compareProgress':
    case 'confusion':
      return s; // for the components that asked (subscribe)
  }
}

/** The Omniglot worker and its state; the worker saves the model when the lab closes. */
export function useOmniglot(firstEpisode: EpisodeRequest, workers?: number) {
  const [state, dispatch] = useReducer(reduce, initial);
  const worker = useRef<Supervised<ToOmniglotWorker> | null>(null);
  const listeners = useRef(new Set<(m: FromOmniglotWorker) => void>());
  useEffect(() => {
    let closing = false;
    const backend = new URLSearchParams(location.search).get('backend') ?? 'auto';
    const w = supervisedWorker<ToOmniglotWorker, FromOmniglotWorker>({
      make: () => new Worker(new URL('../../worker/omniglot.worker.ts', import.meta.url), { type: 'module' }),
      init: () => ({
        type: 'init',
        baseUrl: new URL(import.meta.env.BASE_URL, location.href).href,
        episode: firstEpisode,
        backend,
        workers,
      }),
      onMessage: (m) => {
        if (closing) {
          if (m.type === 'saved') w.terminate();
          return;
        }
        // Training progress streams in; it renders as an interruptible transition.
        if (m.type === 'progress') startTransition(() => dispatch(m));
        else dispatch(m);
        listeners.current.forEach((l) => l(m));
      },
      onRestart: (reason) => dispatch({ type: 'error', message: `The Omniglot worker failed. ${reason}` }),
    });
    worker.current = w;
    return () => {
      // Pausing saves the trained state; give it a moment before the worker goes.
      closing = true;
      w.post({ type: 'pause' });
      setTimeout(() => w.terminate(), 3000);
      worker.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const send = useCallback((m: ToOmniglotWorker) => worker.current?.post(m), []);
  const dismiss = useCallback(() => dispatch({ type: 'dismiss' }), []);
  /** After a failed start: the worker starts again from the beginning. */
  const retry = useCallback(() => {
    dispatch({ type: 'retry' });
    worker.current?.restart();
  }, []);
  /** Listens to every worker message; returns the unsubscribe function. */
  const subscribe = useCallback((l: (m: FromOmniglotWorker) => void) => {
    listeners.current.add(l);
    return () => void listeners.current.delete(l);
  }, []);
  return { state, send, dismiss, subscribe, retry };
}
