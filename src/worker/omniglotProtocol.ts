/**
 * Messages between the page and the Omniglot worker. Images travel as 28x28 bytes
 * (ink = 255); predictions as probabilities per inner step.
 */
import type { ModelUpload } from '../maml/io/modelImport';
import type { ModelFileData } from './modelFiles';
import type { PredictionRow } from '../classify/predictionsCsv';
import type { OmniglotConfig } from '../maml/omniglot/config';
import type { ConvAlgorithm } from '../maml/algorithm/algorithm';
import type { CompareFrom } from '../maml/omniglot/comparison';
import type { ConfusionRequest } from '../maml/omniglot/confusion';

export interface EpisodeRequest {
  way: number;
  shot: number;
  /** Query drawings per class shown. */
  queries: number;
  /** Episode number: the same number gives the same episode. */
  serial: number;
}

export interface EpisodeClassInfo {
  alphabet: string;
  character: string;
}

export interface EpisodeView {
  request: EpisodeRequest;
  steps: number;
  alpha: number;
  classes: EpisodeClassInfo[];
  /** [way*shot, 784] bytes, class-major; labels alongside. */
  support: Uint8Array;
  supportLabels: Int32Array;
  query: Uint8Array;
  queryLabels: Int32Array;
  /** probs[step] is [queries, way], steps 0..k. */
  probs: Float32Array[];
  accuracy: number[];
  loss: number[];
  supportLoss: number[];
  /** The iteration of the model that produced the predictions. */
  iteration: number;
}

export interface OmniglotCurvePoint {
  iteration: number;
  preAccuracy: number;
  postAccuracy: number;
  preLoss: number;
  postLoss: number;
}

/** A change of settings during a run (from the training log), marked on the curves. */
export interface SettingsEvent {
  iteration: number;
  changed: Record<string, unknown>;
}

export interface EvaluationRow {
  way: number;
  shot: number;
  episodes: number;
  done: number;
  accuracy: number;
  ci95: number;
  /** The paper's accuracy for the setting, where it reports one. */
  paper?: number;
  /** Within-alphabet episodes: the alphabet all classes come from. */
  alphabet?: string;
  /** The pretrained baseline on the same episodes, when asked for (episodes done, accuracy, interval). */
  pretrained?: { done: number; accuracy: number; ci95: number };
}

export interface Prediction {
  label: number;
  probability: number;
}

export interface BaselineResult {
  id: 'pretrained' | 'random' | 'nearest';
  name: string;
  /** Why a baseline is missing (no pretrained model shipped), instead of predictions. */
  unavailable?: string;
  predicted: Prediction[];
  /** Probabilities [queries, classes] after the last step (not for nearest neighbour). */
  probs?: Float32Array;
  supportLoss?: number[];
}

/** The answer to a confusion request: one seeded held-out episode and its query probabilities after the inner steps. */
export interface ConfusionEpisode {
  request: ConfusionRequest;
  steps: number;
  alpha: number;
  classes: EpisodeClassInfo[];
  /** [way*shot, 784] ink bytes, class-major. */
  support: Uint8Array;
  /** [way*queries, 784] ink bytes, class-major; their true classes alongside. */
  query: Uint8Array;
  queryLabels: Int32Array;
  /** [queries, way] after the last inner step. */
  probs: Float32Array;
  /** The iteration of the model that produced the predictions. */
  iteration: number;
}

export type ModelSource = 'shipped' | 'saved' | 'scratch' | 'imported';

/** The most threads meta-training may be asked to split a batch over (?workers=N). */
export const MAX_WORKERS = 16;

export type ToOmniglotWorker =
  /** backend: 'auto', or one to force (webgpu runs the WGSL kernels where they cover the settings, else and on webgl the batched tensor kernel; wasm/cpu the fused one). */
  /** workers: threads meta-training on the CPU uses (?workers=N; default the cores but one, gradientPool.ts). */
  | { type: 'init'; baseUrl: string; episode: EpisodeRequest; backend?: string; workers?: number }
  | { type: 'play'; target: number }
  | { type: 'pause' }
  | { type: 'setTarget'; target: number }
  | { type: 'episode'; episode: EpisodeRequest }
  | { type: 'save' }
  /** Save if trained since the last save (the page is hidden or being left). */
  | { type: 'persist' }
  /** Back to the shipped checkpoint (the saved state is deleted). */
  | { type: 'reset' }
  /** A fresh random initialisation with the current settings. */
  | { type: 'scratch'; config: OmniglotConfig }
  | { type: 'setConfig'; config: OmniglotConfig }
  /** The held-out evaluation; with `pretrained`, the shipped pretrained baseline on the same episodes beside it. */
  | { type: 'evaluate'; episodes: number; pretrained?: boolean; settings?: { way: number; shot: number; alphabet?: string }[] }
  | { type: 'stopEvaluation' }
  /**
   * Meta-trains several algorithms side by side (maml/omniglot/comparison.ts) from the same blocks (the current
   * model's, or a seeded random init of a small network) on the same batches; normal training pauses meanwhile.
   */
  | { type: 'compare'; algorithms: ConvAlgorithm[]; from: CompareFrom; filters?: number }
  | { type: 'stopCompare' }
  /** Decode and preprocess one image the user gave (a file, or a drawing's pixels). */
  | { type: 'preprocess'; id: string; name: string; file?: Blob; rgba?: { data: Uint8ClampedArray; width: number; height: number } }
  /** A ready-made example set: held-out characters as classes, with queries. */
  | { type: 'exampleSet'; way: number; seed: number }
  | { type: 'classify'; classes: Float32Array[][]; queries: Float32Array[]; steps: number }
  /** The meta-learned model as files: the project's checkpoint (Adam's state included) or PyTorch safetensors. */
  | { type: 'exportModel'; format: 'tfjs' | 'safetensors' }
  /** A model the user chose (checked by io/modelImport.ts): replaces the one training here, or is refused with nothing changed. */
  | { type: 'importModel'; upload: ModelUpload }
  /** The last Classify's adapted classifier as a zip (tfjs LayersModel + safetensors), its outputs named `names`. */
  | { type: 'exportClassifier'; names: string[] }
  /**
   * Batch mode: the support set as a .zip or a chosen folder's files (one sub-folder per
   * class; a "query" folder inside is read as queries), plus query files; answered with
   * batchProgress messages and one batchResult.
   */
  | { type: 'batchClassify'; zip?: File; support: { path: string; file: Blob }[]; queries: { path: string; file: Blob }[]; steps: number }
  /** Stops the batch run in progress (acts at once; answered by its batchResult, saying it was cancelled). */
  | { type: 'cancelBatch' }
  /** Fault injection (tests, demos): destroys the WebGPU device meta-training runs on, as a driver reset would. */
  | { type: 'loseDevice' }
  /** One seeded held-out episode for the confusion view (mixed alphabets, or within one). */
  | ({ type: 'confusion' } & ConfusionRequest);

export type FromOmniglotWorker =
  /** A download in progress while the lab starts (the data pack): bytes so far and in all. */
  | { type: 'loading'; what: string; loaded: number; total: number }
  | { type: 'modelFiles'; files: ModelFileData[]; note: string }
  /** The answer to importModel: what was imported, or why it was refused. */
  | { type: 'importResult'; ok: boolean; message: string }
  /** The zip of exportClassifier, or why there is none. */
  | { type: 'classifierExport'; zip?: ArrayBuffer; error?: string }
  /** Saving in this browser failed or a saved state could not be restored: shown once, the lab runs on. */
  | { type: 'storage'; message: string }
  /** Meta-training moved to another engine (the GPU was lost, a gradient worker failed): the status line's backend, engine, workers and reason. */
  | { type: 'engine'; backend: string; engine: string; workers: number; reason: string }
  | { type: 'status'; message: string }
  | {
      type: 'ready';
      backend: string;
      engine: string;
      /** Threads each meta-batch is split over (1 on a GPU). */
      workers: number;
      reason: string;
      config: OmniglotConfig;
      iteration: number;
      source: ModelSource;
      sourceNote: string;
      dataset: { alphabets: number; characters: number; images: number; trainAlphabets: string[]; testAlphabets: string[] };
      curves: OmniglotCurvePoint[];
      events: SettingsEvent[];
      savedAt: string | null;
    }
  | { type: 'episode'; view: EpisodeView }
  | {
      type: 'progress';
      iteration: number;
      target: number;
      running: boolean;
      itersPerSec: number;
      /** WebGPU compute dispatches of the last meta-iteration, when it ran there. */
      dispatches?: number;
      points: OmniglotCurvePoint[];
    }
  | {
      type: 'model';
      iteration: number;
      source: ModelSource;
      sourceNote: string;
      config: OmniglotConfig;
      curves: OmniglotCurvePoint[];
      events: SettingsEvent[];
      savedAt: string | null;
    }
  | { type: 'saved'; at: string; iteration: number }
  | { type: 'evaluation'; rows: EvaluationRow[]; running: boolean; iteration: number }
  /** A comparison began (its curves start empty): what it compares and the settings they all train with. */
  | { type: 'compareStarted'; algorithms: ConvAlgorithm[]; from: CompareFrom; config: OmniglotConfig; notes: string[]; engine: string }
  /** Comparison curve points since the last message, every algorithm's for each iteration. */
  | {
      type: 'compareProgress';
      iteration: number;
      running: boolean;
      itersPerSec: number;
      points: (OmniglotCurvePoint & { algorithm: ConvAlgorithm })[];
    }
  | { type: 'preprocessed'; id: string; name: string; pixels?: Float32Array; error?: string }
  | { type: 'exampleSet'; classes: { name: string; examples: Float32Array[] }[]; queries: { name: string; pixels: Float32Array }[] }
  | {
      type: 'classified';
      /** The meta-learned initialisation: probabilities [queries, classes] and support loss after each inner step 0..k. */
      probs: Float32Array[];
      supportLoss: number[];
      predicted: Prediction[];
      /** The same support set from other starting points, and nearest neighbour in pixel space. */
      baselines: BaselineResult[];
    }
  | { type: 'batchProgress'; done: number; total: number }
  | {
      type: 'batchResult';
      classes: { name: string; examples: number }[];
      rows: PredictionRow[];
      problems: string[];
      steps: number;
      seconds: number;
    }
  | { type: 'confusion'; view: ConfusionEpisode }
  | { type: 'error'; message: string };
