import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { SinusoidConfig } from '../maml/experiments/sinusoidConfig';
import type { BackendChoice, BackendName, EngineChoice, EngineName, BackendReport, FromWorker, MethodSpec, TaskView, ToWorker } from '../worker/protocol';
import { appendPoints, emptySeries, type Series } from './series';

export type Adaptation = Extract<FromWorker, { type: 'adaptation' }>;
export type Trajectory = Extract<FromWorker, { type: 'trajectory' }>;

export interface TrainerState {
  phase: 'starting' | 'calibrating' | 'ready';
  calibrating?: BackendName;
  backend?: { chosen: BackendName; reason: string; candidates: BackendReport[]; engine: EngineName; engineReason: string };
  running: boolean;
  iteration: number;
  itersPerSec: number;
  tensors: number;
  source: string;
  curves: Series;
  adaptation?: Adaptation;
  trajectory?: Trajectory;
  alert?: { kind: 'diverged' | 'error'; message: string };
  loaded?: { config: SinusoidConfig; note: string; serial: number };
  /** The latest exported checkpoint, to be saved by the page. */
  exported?: { manifest: unknown; weights: ArrayBuffer; iteration: number; serial: number };
  /** Why the latest imported checkpoint was refused (cleared when one loads). */
  importRejected?: { message: string; serial: number };
}

const initial: TrainerState = { phase: 'starting', running: false, iteration: 0, itersPerSec: 0, tensors: 0, source: '', curves: emptySeries() };

type Action = FromWorker | { type: 'clearCurves' } | { type: 'dismiss' };

function reduce(s: TrainerState, m: Action): TrainerState {
  switch (m.type) {
    case 'calibrating':
      return { ...s, phase: 'calibrating', calibrating: m.backend };
    case 'backend':
      return { ...s, phase: 'ready', calibrating: undefined, backend: { chosen: m.chosen, reason: m.reason, candidates: m.candidates, engine: m.engine, engineReason: m.engineReason } };
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
      return { ...s, curves: emptySeries(), trajectory: undefined, importRejected: undefined, alert: undefined, loaded: { config: m.config, note: m.note, serial: (s.loaded?.serial ?? 0) + 1 } };
    case 'exported':
      return { ...s, exported: { manifest: m.manifest, weights: m.weights, iteration: m.iteration, serial: (s.exported?.serial ?? 0) + 1 } };
    case 'importRejected':
      return { ...s, importRejected: { message: m.message, serial: (s.importRejected?.serial ?? 0) + 1 } };
    case 'clearCurves':
      return { ...s, curves: emptySeries(), trajectory: undefined, alert: undefined };
    case 'dismiss':
      return { ...s, alert: undefined };
    default:
      return s;
  }
}

/** The page's handle on the training worker: its latest state, and commands to send it. */
export function useTrainer(init: { config: SinusoidConfig; backend: BackendChoice; engine: EngineChoice; task: TaskView; autoplay: boolean; compare: MethodSpec[] }) {
  const [state, dispatch] = useReducer(reduce, initial);
  const worker = useRef<Worker | null>(null);

  useEffect(() => {
    const w = new Worker(new URL('../worker/maml.worker.ts', import.meta.url), { type: 'module' });
    worker.current = w;
    w.onmessage = (e: MessageEvent<FromWorker>) => dispatch(e.data);
    w.onerror = (e) => dispatch({ type: 'error', message: `The training worker failed: ${e.message}` });
    w.postMessage({ type: 'init', ...init } satisfies ToWorker);
    return () => w.terminate();
    // The worker lives as long as the page; later changes go through send().
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const send = useCallback((m: ToWorker, transfer: Transferable[] = []) => {
    if (m.type === 'reset' || m.type === 'setCompare') dispatch({ type: 'clearCurves' });
    if (m.type === 'play') dispatch({ type: 'dismiss' });
    worker.current?.postMessage(m, transfer);
  }, []);

  return { state, send, dismiss: () => dispatch({ type: 'dismiss' }) };
}
