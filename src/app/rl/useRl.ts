import { supervisedWorker, type Supervised } from '../supervisedWorker';
import { startTransition, useCallback, useEffect, useReducer, useRef } from 'react';
import type { TaskFamily } from '../../maml/rl/env';
import type { AdaptationView, FromRlWorker, RlCurvePoint, ToRlWorker } from '../../worker/rlProtocol';
import type { ModelFile, ModelFileMessage } from '../share/ModelFiles';

export interface FamilyState {
  iteration: number;
  pretrainedIteration: number;
  curves: RlCurvePoint[];
  shippedIteration: number;
  restoredFrom?: string;
  importedFrom?: string;
}

export interface RlState {
  phase: 'starting' | 'ready' | 'failed';
  status: string;
  backend: string;
  backendNote: string;
  families: Partial<Record<TaskFamily, FamilyState>>;
  adaptation?: AdaptationView;
  /** The goal asked for and not yet answered. */
  pending: number | null;
  running: boolean;
  secondsPerIteration: number;
  error?: string;
  /** Why training is not saved in this browser, or a saved state was discarded. */
  storage?: string;
  /** The export or import line under the controls. */
  files?: ModelFileMessage;
  /** Files exported and not yet offered for download. */
  exported?: { files: ModelFile[]; note: string };
}

const initial: RlState = {
  phase: 'starting',
  status: 'Starting the worker…',
  backend: '',
  backendNote: '',
  families: {},
  pending: null,
  running: false,
  secondsPerIteration: 0,
};

type Action = FromRlWorker | { type: 'asked'; serial: number } | { type: 'dismiss' } | { type: 'files'; message: ModelFileMessage };

function reduce(s: RlState, m: Action): RlState {
  switch (m.type) {
    case 'status':
      return { ...s, status: m.message };
    case 'storage':
      return { ...s, storage: m.message };
    case 'ready':
      return { ...s, phase: 'ready', backend: m.backend, backendNote: m.note };
    case 'model':
      return {
        ...s,
        families: {
          ...s.families,
          [m.family]: {
            iteration: m.iteration,
            pretrainedIteration: m.pretrainedIteration,
            curves: m.curves,
            shippedIteration: m.shippedIteration,
            restoredFrom: m.restoredFrom,
            importedFrom: m.importedFrom,
          },
        },
      };
    case 'adaptation':
      return { ...s, adaptation: m.view, pending: s.pending === m.view.serial ? null : s.pending };
    case 'progress': {
      const f = s.families[m.family];
      if (!f) return s;
      return {
        ...s,
        running: m.running,
        secondsPerIteration: m.secondsPerIteration || s.secondsPerIteration,
        families: {
          ...s.families,
          [m.family]: { ...f, iteration: m.iteration, curves: m.points.length ? [...f.curves, ...m.points] : f.curves },
        },
      };
    }
    case 'modelFiles':
      return { ...s, exported: { files: m.files, note: m.note } };
    case 'importResult':
      return { ...s, files: { kind: m.ok ? 'ok' : 'error', text: m.message } };
    case 'asked':
      return { ...s, pending: m.serial };
    case 'error':
      return { ...s, error: m.message, running: false, pending: null, phase: s.phase === 'starting' ? 'failed' : s.phase };
    case 'dismiss':
      return { ...s, error: undefined };
    case 'files':
      return { ...s, files: m.message, exported: undefined };
  }
}

/** The RL worker and its state. */
export function useRl() {
  const [state, dispatch] = useReducer(reduce, initial);
  const worker = useRef<Supervised<ToRlWorker> | null>(null);
  const serial = useRef(0);
  const lastAdapt = useRef<ToRlWorker | null>(null);
  useEffect(() => {
    const backend = new URLSearchParams(location.search).get('backend') ?? 'auto';
    const w = supervisedWorker<ToRlWorker, FromRlWorker>({
      make: () => new Worker(new URL('../../worker/rl.worker.ts', import.meta.url), { type: 'module' }),
      init: () => ({ type: 'init', baseUrl: new URL(import.meta.env.BASE_URL, location.href).href, backend }),
      // Training progress streams in; it renders as an interruptible transition.
      onMessage: (m) => (m.type === 'progress' ? startTransition(() => dispatch(m)) : dispatch(m)),
      onRestart: (reason) => dispatch({ type: 'error', message: `The RL worker failed. ${reason}` }),
      // The goal on show is asked again: it loads the family's policies, the saved training included.
      resume: () => (lastAdapt.current ? [lastAdapt.current] : []),
    });
    worker.current = w;
    return () => {
      w.terminate();
      worker.current = null;
    };
  }, []);
  const send = useCallback((m: ToRlWorker) => worker.current?.post(m), []);
  const adapt = useCallback((family: TaskFamily, goal: [number, number], steps = 1) => {
    const n = ++serial.current;
    dispatch({ type: 'asked', serial: n });
    lastAdapt.current = { type: 'adapt', family, goal, serial: n, steps };
    worker.current?.post(lastAdapt.current);
  }, []);
  const dismiss = useCallback(() => dispatch({ type: 'dismiss' }), []);
  const setFiles = useCallback((message: ModelFileMessage) => dispatch({ type: 'files', message }), []);
  return { state, send, adapt, dismiss, setFiles };
}
