/**
 * The one message protocol between the page and the training worker. The page never
 * touches tensors: it sends commands and receives plain numbers and typed arrays.
 */
import type { SinusoidConfig } from '../maml/experiments/sinusoidConfig';
import type { Algorithm } from '../maml/algorithms/algorithm';

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = BackendName | 'auto';

/** What was found out about one candidate backend. */
export interface BackendReport {
  name: BackendName;
  available: boolean;
  /** Why it is unavailable, or what it runs on (adapter, fallback). */
  note: string;
  /** Meta-iterations per second measured by the calibration, when it ran. */
  metaItersPerSec?: number;
}

/** The task shown in the adaptation panel: a sine and the support points to adapt on. */
export interface TaskView {
  amplitude: number;
  phase: number;
  supportX: number[];
  supportY: number[];
}

export interface CurvePoint {
  iteration: number;
  /** Mean query MSE of the meta-learner before and after the inner loop. */
  pre: number;
  post: number;
  /** The same for the pretrained baseline, trained alongside on the same tasks. */
  basePre: number;
  basePost: number;
}

export type ToWorker =
  | { type: 'init'; config: SinusoidConfig; backend: BackendChoice; task: TaskView; autoplay: boolean }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'reset'; config: SinusoidConfig }
  | { type: 'setConfig'; config: SinusoidConfig }
  | { type: 'setTask'; task: TaskView }
  | { type: 'loadCheckpoint'; manifest: unknown; weights: ArrayBuffer }
  | { type: 'bench'; backend: BackendName; algorithm: Algorithm; iterations: number; config: SinusoidConfig };

export type FromWorker =
  | { type: 'calibrating'; backend: BackendName }
  | { type: 'backend'; chosen: BackendName; reason: string; candidates: BackendReport[] }
  | { type: 'state'; running: boolean; iteration: number; itersPerSec: number; tensors: number; source: string }
  | { type: 'curves'; points: CurvePoint[] }
  | {
      type: 'adaptation';
      iteration: number;
      task: TaskView;
      grid: Float32Array;
      /** [steps + 1, grid] predictions, step 0 first, for the meta-learner and the baseline. */
      learner: Float32Array;
      baseline: Float32Array;
      steps: number;
      learnerSupportLoss: Float32Array;
      baselineSupportLoss: Float32Array;
    }
  | { type: 'loaded'; config: SinusoidConfig; iteration: number; note: string }
  | { type: 'diverged'; iteration: number; message: string }
  | { type: 'error'; message: string }
  | { type: 'benchResult'; backend: BackendName; algorithm: Algorithm; metaItersPerSec: number; iterations: number; note: string };
