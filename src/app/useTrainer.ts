import { supervisedWorker, type Supervised } from './supervisedWorker';
import { startTransition, useCallback, useEffect, useReducer, useRef } from 'react';
import type { SinusoidConfig } from '../maml/sinusoid/config';
import type { BackendName, FromWorker, ToWorker } from '../worker/protocol';
import { messageBatch } from './messageBatch';
import { appendPoints, emptySeries, type Series } from './series';

export type Adaptation = Extract<FromWorker, { type: 'adaptation' }>;
export type Trajectory = Extract<FromWorker, { type: 'trajectory' }>;

export interface TrainerState {
  phase: 'starting' | 'calibrating' | 'ready';
  calibrating?: BackendName;
  /** The worker's choice of backend and engine, as it said it (the backend message). */
  backend?: Omit<Extract<FromWorker, { type: 'backend' }>, 'type'>;
  running: boolean;
  iteration: number;
  itersPerSec: number;
  tensors: number;
  source: string;
  curves: Series;
  adaptation?: Adaptation;
  trajectory?: Trajectory;
  alert?: { kind: 'diverged' | 'error'; message: string };
  loaded?: { config: SinusoidConfig; origin: 'shipped' | 'imported' | 'saved'; iteration: number; serial: number };
  /** Why training is not saved in this browser, or a saved state was discarded. */
  storage?: string;
  /** The last save in this browser. */
  saved?: { at: string; iteration: number };
  /** Why the worker was restarted (the last time it was). */
  restarted?: string;
  /** The latest exported checkpoint, to be saved by the page. */
  exported?: { manifest: unknown; weights: ArrayBuffer; iteration: number; serial: number };
  /** Why the latest imported checkpoint was refused (cleared when one loads). */
  importRejected?: { message: string; serial: number };
}

const initial: TrainerState = {
  phase: 'starting',
  running: false,
  iteration: 0,
  itersPerSec: 0,
  tensors: 0,
  source: '',
  curves: emptySeries(),
};

/** Messages that arrive many times a second while training; the rest are shown at once. */
const STREAMED = new Set<FromWorker['type']>(['state', 'curves', 'adaptation', 'trajectory']);
/** The longest a streamed message waits before it is drawn. */
const STREAM_MS = 100;

type Action = FromWorker | { type: 'clearCurves' } | { type: 'dismiss' } | { type: 'restarted'; message: string };

function reduce(s: TrainerState, m: Action): TrainerState {
  switch (m.type) {
    case 'calibrating':
      return { ...s, phase: 'calibrating', calibrating: m.backend };
    case 'backend':
      return {
        ...s,
        phase: 'ready',
        calibrating: undefined,
        backend: (({ type: _, ...b }) => b)(m),
      };
    case 'state':
      return { ...s, running: m.running, iteration: m.iteration, itersPerSec: m.itersPerSec, tensors: m.tensors, source: m.source };
    case 'curves':
      return { ...s, curves: appendPoints(s.curves, m.points) };
    case 'adaptation':
      return { ...s, adaptation: m };
    case 'trajectory':
      return { ...s, trajectory: m };
    case 'diverged':
      return { ...s, running: false, alert: { kind: 'diverged', message: m.message } };
    case 'error':
      return { ...s, alert: { kind: 'error', message: m.message } };
    case 'loaded':
      return {
        ...s,
        curves: emptySeries(),
        trajectory: undefined,
        importRejected: undefined,
        alert: undefined,
        loaded: { config: m.config, origin: m.origin, iteration: m.iteration, serial: (s.loaded?.serial ?? 0) + 1 },
      };
    case 'exported':
      return {
        ...s,
        exported: { manifest: m.manifest, weights: m.weights, iteration: m.iteration, serial: (s.exported?.serial ?? 0) + 1 },
      };
    case 'importRejected':
      return { ...s, importRejected: { message: m.message, serial: (s.importRejected?.serial ?? 0) + 1 } };
    case 'storage':
      return { ...s, storage: m.message };
    case 'saved':
      return { ...s, saved: { at: m.at, iteration: m.iteration } };
    case 'restarted':
      return { ...s, phase: 'starting', running: false, restarted: m.message, curves: emptySeries(), trajectory: undefined };
    case 'clearCurves':
      return { ...s, curves: emptySeries(), trajectory: undefined, alert: undefined, saved: undefined };
    case 'dismiss':
      return { ...s, alert: undefined };
    default:
      return s;
  }
}

/** The page's handle on the training worker: its latest state, and commands to send it. */
export function useTrainer(init: Omit<Extract<ToWorker, { type: 'init' }>, 'type' | 'views'>) {
  const [state, dispatch] = useReducer(reduce, initial);
  const worker = useRef<Supervised<ToWorker> | null>(null);
  // A restarted worker starts from the page's settings as they are then.
  const latest = useRef(init);
  latest.current = init;

  useEffect(() => {
    // What the worker sends renders in batches of up to STREAM_MS, as a transition: React
    // slices that work and yields to input, so a busy page never blocks the main thread long.
    const stream = messageBatch<FromWorker>((batch) => startTransition(() => batch.forEach(dispatch)), STREAM_MS);
    const w = supervisedWorker<ToWorker, FromWorker>({
      make: () => new Worker(new URL('../worker/maml.worker.ts', import.meta.url), { type: 'module' }),
      // A restart continues the training saved in this browser, when its settings are the page's.
      init: (restart) => ({ type: 'init', ...latest.current, ...(restart ? { restore: true, autoplay: false } : {}) }),
      onMessage: (m) => {
        stream.push(m);
        if (!STREAMED.has(m.type)) stream.flush();
      },
      onRestart: (reason) => {
        stream.flush();
        dispatch({ type: 'restarted', message: `The training worker failed. ${reason}` });
      },
    });
    worker.current = w;
    return () => {
      stream.cancel();
      w.terminate();
    };
  }, []);

  const send = useCallback((m: ToWorker, transfer: Transferable[] = []) => {
    if (m.type === 'reset' || m.type === 'setCompare') dispatch({ type: 'clearCurves' });
    if (m.type === 'play') dispatch({ type: 'dismiss' });
    worker.current?.post(m, transfer);
  }, []);

  return { state, send, dismiss: () => dispatch({ type: 'dismiss' }) };
}
