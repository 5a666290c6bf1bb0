/**
 * The one message protocol between the page and the training worker. The page never
 * touches tensors: it sends commands and receives plain numbers and typed arrays.
 */
import type { SinusoidTaskWithSupport } from '../maml/tasks/sinusoid';
import type { SinusoidConfig } from '../maml/experiments/sinusoidConfig';
import type { Algorithm } from '../maml/algorithms/algorithm';

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

/** The task shown in the adaptation panel: a sine and the support points to adapt on. */
export type TaskView = SinusoidTaskWithSupport;

/** Where an adaptation starts from. */
export type StartingPoint = 'learner' | 'baseline' | 'random';

/** One task's inner loop, step by step (see adaptationTrace in the learning core). */
export interface TraceData {
  /** [steps + 1, grid] predictions. */
  curves: Float32Array;
  supportLoss: Float32Array;
  /** MSE against the true sine on the grid, per step. */
  queryLoss: Float32Array;
  /** [steps, layers] gradient norm per layer. */
  gradNorms: Float32Array;
  layers: number;
  updateSize: Float32Array;
}

/** One task of the trajectory picture, in the 2-D projection of theta-space. */
export interface TrajectoryTask extends TaskView {
  /** Inner-loop path theta -> theta_i(1) -> ... -> theta_i(k), projected. */
  path: [number, number][];
  /** The task's optimum theta_i*, projected (absent until first fitted). */
  optimum?: [number, number];
  /** ||theta_i(k) - theta_i*|| in the full parameter space. */
  distance?: number;
}

export interface DistancePoint {
  iteration: number;
  /** Mean over the trajectory tasks of ||theta_i(k) - theta_i*||, for the meta-learner and the baseline. */
  learner: number;
  baseline: number;
}

export interface CurvePoint {
  iteration: number;
  /** Mean query MSE of the meta-learner before and after the inner loop. */
  pre: number;
  post: number;
  /** The same for the pretrained baseline, trained alongside on the same tasks. */
  basePre: number;
  basePost: number;
  /** In comparison mode: [pre, post] of every compared method, by methodKey. */
  methods?: Record<string, [number, number]>;
}

/** One method of a comparison: an algorithm, trained with its own K where `shots` is given. */
export interface MethodSpec {
  algorithm: Algorithm;
  shots?: number;
}

export const methodKey = (m: MethodSpec) => (m.shots ? `${m.algorithm}-k${m.shots}` : m.algorithm);

/**
 * Which of the session's learners a compared method is: the meta-learner (config.algorithm),
 * the pretrained baseline, or an extra learner trained only for the comparison.
 */
export function methodSource(m: MethodSpec, config: { algorithm: Algorithm; shots: number }): 'learner' | 'baseline' | 'extra' {
  const shots = m.shots ?? config.shots;
  if (shots !== config.shots) return 'extra';
  if (m.algorithm === config.algorithm) return 'learner';
  if (m.algorithm === 'pretrained') return 'baseline';
  return 'extra';
}

export type ToWorker =
  | { type: 'init'; config: SinusoidConfig; backend: BackendChoice; engine: EngineChoice; task: TaskView; autoplay: boolean; compare: MethodSpec[] }
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
  | { type: 'setViews'; views: boolean }
  | { type: 'benchSession'; backend: BackendName; engine?: EngineName; views: boolean; seconds: number; config: SinusoidConfig }
  | { type: 'loadCheckpoint'; manifest: unknown; weights: ArrayBuffer }
  | { type: 'bench'; backend: BackendName; engine?: EngineName; algorithm: Algorithm; iterations: number; config: SinusoidConfig };

export type FromWorker =
  | { type: 'calibrating'; backend: BackendName }
  | {
      type: 'backend';
      chosen: BackendName;
      reason: string;
      candidates: BackendReport[];
      engine: EngineName;
      /** Why this engine, with the rates measured. */
      engineReason: string;
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
  | {
      type: 'trajectory';
      iteration: number;
      /** Recorded theta snapshots, projected; the last one is the current theta. */
      points: { iteration: number; x: number; y: number }[];
      /** Fraction of the trajectory's variance along each axis. */
      explained: [number, number];
      tasks: TrajectoryTask[];
      /** The whole distance history so far. */
      distance: DistancePoint[];
      steps: number;
    }
  | { type: 'loaded'; config: SinusoidConfig; iteration: number; note: string }
  | { type: 'exported'; manifest: unknown; weights: ArrayBuffer; iteration: number }
  | { type: 'importRejected'; message: string }
  | { type: 'diverged'; iteration: number; message: string }
  | { type: 'error'; message: string }
  | { type: 'benchSessionResult'; backend: BackendName; engine: EngineName; views: boolean; metaItersPerSec: number; iterations: number; note: string }
  | { type: 'benchResult'; backend: BackendName; engine?: EngineName; algorithm: Algorithm; metaItersPerSec: number; iterations: number; note: string };
