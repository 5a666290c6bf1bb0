/**
 * The one message protocol between the page and the training worker. The page never
 * touches tensors: it sends commands and receives plain numbers and typed arrays.
 */
import type { SinusoidConfig } from '../maml/sinusoid/config';

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = BackendName | 'auto';
/** Who computes the meta-gradients: tfjs on the backend, or the fused JavaScript kernel (CPU). */
export type EngineName = 'tfjs' | 'fused';
export type EngineChoice = EngineName | 'auto';

/** What was found out about one candidate backend. */
export interface BackendReport {
  name: BackendName;
  available: boolean;
  /** Why it is unavailable, or what it runs on (adapter, fallback). */
  note: string;
  /** Meta-iterations per second measured by the calibration, when it ran. */
  metaItersPerSec?: number;
}

export type {
  TaskView,
  StartingPoint,
  TraceData,
  TrajectoryTask,
  DistancePoint,
  CurvePoint,
  MethodSpec,
  TrajectoryPicture,
} from '../maml/sinusoid/views';
export { methodKey, methodSource } from '../maml/sinusoid/views';
import type { TaskView, StartingPoint, TraceData, CurvePoint, MethodSpec, TrajectoryPicture } from '../maml/sinusoid/views';

export type ToWorker =
  | {
      type: 'init';
      config: SinusoidConfig;
      backend: BackendChoice;
      engine: EngineChoice;
      task: TaskView;
      autoplay: boolean;
      compare: MethodSpec[];
      /** Whether the trajectory views are computed while training (default true; the bench turns them off). */
      views?: boolean;
      /**
       * Whether training saved in this browser with these settings continues (a reload, or the
       * lab opened without settings in its address); a link with settings starts the run it describes.
       */
      restore?: boolean;
    }
  /** Compare these methods (none: the single-method view); restarts training so all share one stream. */
  | { type: 'setCompare'; compare: MethodSpec[]; config: SinusoidConfig }
  /** Exports the current learners as a checkpoint (answered by 'exported'). */
  | { type: 'exportCheckpoint' }
  /** A checkpoint file from the user: checked fully; answered by 'loaded' or 'importRejected'. */
  | { type: 'importCheckpoint'; manifest: unknown; weights: ArrayBuffer }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'reset'; config: SinusoidConfig }
  | { type: 'setConfig'; config: SinusoidConfig }
  | { type: 'setTask'; task: TaskView }
  | { type: 'loadCheckpoint'; manifest: unknown; weights: ArrayBuffer }
  /** Save the training in this browser now (the page is hidden or being left). */
  | { type: 'persist' }
  /** Fault injection (tests, demos): destroys the WebGPU device, as a driver reset would. */
  | { type: 'loseDevice' };

export type FromWorker =
  /** Saving in this browser failed or a saved state could not be restored: shown once, the lab runs on. */
  | { type: 'storage'; message: string }
  /** The training was saved in this browser. */
  | { type: 'saved'; at: string; iteration: number }
  | { type: 'calibrating'; backend: BackendName }
  | {
      type: 'backend';
      chosen: BackendName;
      reason: string;
      candidates: BackendReport[];
      engine: EngineName;
      /** Why this engine, with the rates measured. */
      engineReason: string;
      /** What the fused kernel runs on: "WebAssembly SIMD", or "JavaScript (why)". */
      fusedKernel: string;
    }
  | { type: 'state'; running: boolean; iteration: number; itersPerSec: number; tensors: number; source: string }
  | { type: 'curves'; points: CurvePoint[] }
  | {
      type: 'adaptation';
      iteration: number;
      task: TaskView;
      grid: Float32Array;
      steps: number;
      /** The same task adapted from three starting points. */
      models: Record<StartingPoint, TraceData>;
      /** In comparison mode, the compared methods that are extra learners, by methodKey. */
      extra?: Record<string, TraceData>;
    }
  | ({ type: 'trajectory' } & TrajectoryPicture)
  /** A checkpoint replaced the session: the shipped one (`shipped`) or a file the user imported. */
  | { type: 'loaded'; config: SinusoidConfig; iteration: number; origin: 'shipped' | 'imported' | 'saved'; note: string }
  | { type: 'exported'; manifest: unknown; weights: ArrayBuffer; iteration: number }
  | { type: 'importRejected'; message: string }
  | { type: 'diverged'; iteration: number; message: string }
  | { type: 'error'; message: string };
