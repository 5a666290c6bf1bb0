/**
 * Several meta-learning algorithms meta-trained side by side on Omniglot (issue 16): one
 * ConvMetaLearner per algorithm, all from the same blocks (the current model's, or one seeded
 * random initialisation), each with its own fresh Adam, and every one stepped on the same
 * meta-batch at every iteration (trainingBatch: the seeded stream of the main training).
 * Each records the curve point the main training records: query accuracy and loss before and
 * after adaptation on that batch. Pure: no worker, no tensors beyond the matrix products.
 */
import { CONV_ALGORITHMS, type ConvAlgorithm } from '../algorithm/algorithm';
import { trainingSpec, type OmniglotConfig } from './config';
import { ConvMetaLearner, convShape } from './convLearner';
import { metaGradient, type MetaBatchResult } from './convMaml';
import { initBody } from '../networks/convNet';
import type { Gemm } from '../networks/gemm';
import type { OmniglotDataset } from './pack';
import { createRng } from '../random';
import { trainingBatch, type EpisodeBatch } from './tasks';

export type CompareFrom = 'current' | 'scratch';

/** One algorithm's point on its curve: the meta-batch's numbers before this iteration's update. */
export interface ComparisonPoint extends MetaBatchResult {
  algorithm: ConvAlgorithm;
  /** Meta-iterations done by the comparison once this one is (1 for the first batch). */
  iteration: number;
}

/**
 * The small network "from scratch" trains (fast enough to watch on a laptop's CPU): 8 filters,
 * 5-way 1-shot with 5 queries per class, meta-batch 4, three inner steps of alpha 0.4 (Reptile
 * learns little with fewer: see comparisonConfig), Adam at 0.003.
 */
export const SCRATCH_COMPARISON: Pick<
  OmniglotConfig,
  'way' | 'shot' | 'queries' | 'metaBatch' | 'alpha' | 'trainSteps' | 'testSteps' | 'filters' | 'metaLr'
> = { way: 5, shot: 1, queries: 5, metaBatch: 4, alpha: 0.4, trainSteps: 3, testSteps: 3, filters: 8, metaLr: 0.003 };

/**
 * The settings every compared algorithm trains with, and what was changed from `model`'s:
 * from scratch, SCRATCH_COMPARISON (filters overridable); from the current model, its own,
 * except that Reptile needs two inner steps or more. Every task starts with a zero head, so
 * the first inner step moves only the head and leaves the blocks where they were: with one
 * step, Reptile's meta-gradient on the blocks (theta_0 - theta_1) is exactly zero.
 */
export function comparisonConfig(
  model: OmniglotConfig,
  algorithms: readonly ConvAlgorithm[],
  from: CompareFrom,
  filters?: number,
): { config: OmniglotConfig; notes: string[] } {
  const notes: string[] = [];
  let config: OmniglotConfig =
    from === 'scratch'
      ? { ...model, ...SCRATCH_COMPARISON, filters: filters ?? SCRATCH_COMPARISON.filters, shift: 0, affine: 0, rotations: true }
      : { ...model };
  if (algorithms.includes('reptile') && config.trainSteps < 2) {
    config = { ...config, trainSteps: 2 };
    notes.push('2 inner steps instead of 1 for every algorithm (with a zero head, one step leaves Reptile nothing to learn)');
  }
  return { config, notes };
}

/** A short fingerprint of a batch's images and labels (FNV-1a over their bytes), to show two runs saw the same batches. */
export function batchFingerprint(b: EpisodeBatch): string {
  let h = 0x811c9dc5;
  const mix = (a: ArrayBufferView) => {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  };
  mix(b.support);
  mix(b.supportLabels);
  mix(b.query);
  mix(b.queryLabels);
  return (h >>> 0).toString(16).padStart(8, '0');
}

export interface ComparisonStep {
  iteration: number;
  /** The fingerprint of the batch as each learner was given it (taken just before its step). */
  fingerprints: Record<string, string>;
  points: ComparisonPoint[];
}

export class OmniglotComparison {
  readonly learners: { algorithm: ConvAlgorithm; learner: ConvMetaLearner }[];
  /** Meta-iterations done (by every learner alike). */
  iteration = 0;

  /**
   * @param body the starting blocks (copied); omitted, the seeded random initialisation of `config`
   * @param firstBatch the index in the seeded stream of the first batch (the current model's iteration, to continue its stream)
   */
  constructor(
    readonly config: OmniglotConfig,
    readonly algorithms: readonly ConvAlgorithm[],
    gemm: Gemm,
    body?: Float32Array[],
    readonly firstBatch = 0,
  ) {
    if (new Set(algorithms).size !== algorithms.length || algorithms.some((a) => !CONV_ALGORITHMS.includes(a)))
      throw new Error(`compare distinct algorithms of ${CONV_ALGORITHMS.join(', ')}`);
    if (algorithms.length < 2) throw new Error('a comparison needs two algorithms or more');
    const rng = createRng(`${config.seed}/omniglot/init`);
    const start = body ?? initBody(convShape(config.filters), () => rng.next());
    this.learners = algorithms.map((algorithm) => ({ algorithm, learner: new ConvMetaLearner({ ...config, algorithm }, gemm, start) }));
  }

  /** The batch of the comparison's iteration i: the same for every learner, from the seeded stream. */
  batch(ds: OmniglotDataset, i = this.iteration): EpisodeBatch {
    return trainingBatch(ds, trainingSpec(this.config), this.config.metaBatch, this.config.seed, this.firstBatch + i);
  }

  /** One meta-iteration of every learner on the same batch. */
  step(ds: OmniglotDataset): ComparisonStep {
    const batch = this.batch(ds);
    const fingerprints: Record<string, string> = {};
    const points: ComparisonPoint[] = [];
    for (const { algorithm, learner } of this.learners) {
      fingerprints[algorithm] = batchFingerprint(batch);
      const r = learner.step(batch);
      points.push({ algorithm, iteration: this.iteration + 1, ...r });
    }
    this.iteration++;
    return { iteration: this.iteration, fingerprints, points };
  }

  /** Each learner's numbers on a batch, with no update: accuracy and loss after the training inner steps (no second-order work). */
  score(batch: EpisodeBatch): Record<string, MetaBatchResult> {
    const out: Record<string, MetaBatchResult> = {};
    for (const { algorithm, learner } of this.learners) {
      const c = learner.config;
      const scratch = learner.body.map((b) => new Float32Array(b.length));
      out[algorithm] = metaGradient(learner.net, learner.body, batch, { alpha: c.alpha, steps: c.trainSteps }, 'maml1', scratch);
    }
    return out;
  }
}
