import type { ConvAlgorithm } from '../algorithm/algorithm';
import type { EpisodeSpec } from './tasks';

/** Everything that defines an Omniglot meta-learning run (tensor-free, for the page and the scripts). */
export interface OmniglotConfig {
  algorithm: ConvAlgorithm;
  way: number;
  shot: number;
  /** Query drawings per class in each training episode. */
  queries: number;
  metaBatch: number;
  /** Inner learning rate alpha (on the mean cross-entropy of the support set). */
  alpha: number;
  trainSteps: number;
  testSteps: number;
  /** Outer (Adam) learning rate. */
  metaLr: number;
  filters: number;
  /** Quarter-turn rotations of training characters as extra classes. */
  rotations: boolean;
  /** Random shifts of training drawings by up to this many pixels (0: none). */
  shift?: number;
  /** Random affine distortion of training classes, strength 0 (none) to 1 (rotation up to 15°, shear 0.15, scale ±15%). */
  affine?: number;
  /** Re-rendering training drawings from their pen strokes, strength 0 (none) to 1 (pen 0.6-1.6x, strokes moved up to 3 px and bent, of 105). */
  strokes?: number;
  /** Share of each meta-batch's episodes drawn within one alphabet, Lake et al.'s harder runs (0 or absent: all mixed). */
  within?: number;
  seed: number;
}

/**
 * The paper's settings (section 5.2, appendix A.1): 5-way with meta-batch 32, one inner
 * step of alpha 0.4 at training and three at test; 20-way with meta-batch 16, five steps
 * of alpha 0.1; Adam at 0.001 (the paper's meta step size). The paper's loss is the batch
 * mean, as here. 32 filters: the size that
 * trains at a useful speed on two CPU cores (64 where a GPU runs it).
 */
export const OMNIGLOT_PRESETS = {
  '5-way 1-shot': { way: 5, shot: 1, metaBatch: 32, alpha: 0.4, trainSteps: 1, testSteps: 3, metaLr: 0.001 },
  '5-way 5-shot': { way: 5, shot: 5, metaBatch: 32, alpha: 0.4, trainSteps: 1, testSteps: 3, metaLr: 0.001 },
  '20-way 1-shot': { way: 20, shot: 1, metaBatch: 16, alpha: 0.1, trainSteps: 5, testSteps: 5, metaLr: 0.001 },
  '20-way 5-shot': { way: 20, shot: 5, metaBatch: 16, alpha: 0.1, trainSteps: 5, testSteps: 5, metaLr: 0.001 },
} as const satisfies Record<string, Partial<OmniglotConfig>>;

export type OmniglotPreset = keyof typeof OMNIGLOT_PRESETS;

export const DEFAULT_OMNIGLOT_CONFIG: OmniglotConfig = {
  algorithm: 'maml2',
  ...OMNIGLOT_PRESETS['5-way 1-shot'],
  queries: 5,
  filters: 32,
  rotations: true,
  seed: 1,
};

/**
 * The held-out evaluation settings and the paper's accuracies for them (Table 1, MAML; it
 * reports mixed-alphabet episodes only). The last is within one alphabet, Lake et al.'s
 * harder one-shot runs: 20 katakana characters, support and queries by different drawers.
 */
export const EVALUATION_SETTINGS: readonly { way: number; shot: number; paper?: number; alphabet?: string }[] = [
  { way: 5, shot: 1, paper: 0.987 },
  { way: 5, shot: 5, paper: 0.999 },
  { way: 20, shot: 1, paper: 0.958 },
  { way: 20, shot: 5, paper: 0.989 },
  { way: 20, shot: 1, alphabet: 'Japanese_(katakana)' },
];

/** Seed of the held-out evaluation episodes (page and command line meet the same ones). */
export const EVALUATION_SEED = 2017;
/** Query drawings per class in evaluation episodes. */
export const EVALUATION_QUERIES = 5;

/** The shape of a run's training episodes. */
export function trainingSpec(c: OmniglotConfig): EpisodeSpec {
  return {
    way: c.way,
    shot: c.shot,
    queries: c.queries,
    rotations: c.rotations,
    shift: c.shift ?? 0,
    affine: c.affine ?? 0,
    within: c.within ?? 0,
    strokes: c.strokes ?? 0,
  };
}

/**
 * The inner loop for an episode of `way` classes with a model trained on `config.way`:
 * alpha scaled by way / config.way. With the zero head, the first step sets each class's
 * weights to alpha / way times its centred mean feature, so this keeps the logits on the
 * scale the model was meta-trained at (calibrated probabilities); the predicted class
 * after one step does not depend on it.
 */
export function innerFor(config: OmniglotConfig, way: number, steps = config.testSteps): { alpha: number; steps: number } {
  return { alpha: (config.alpha * way) / config.way, steps };
}
