/**
 * Inside the mistakes: which held-out characters an adapted model confuses. A confusion
 * episode is one seeded evaluation-shaped episode (mixed alphabets, or all classes from one
 * held-out alphabet with support and queries by different drawers, as tasks.ts samples them);
 * its query probabilities after the inner steps give a confusion matrix (true class rows,
 * predicted class columns) and the list of misclassified queries with the probability of the
 * class each was taken for and of the class it is. Pure: no DOM, no tensors.
 */
import { EVALUATION_QUERIES } from './config';
import type { OmniglotDataset } from './pack';
import { createRng } from '../random';
import { sampleEpisodes, WITHIN_ANY_ALPHABET, type EpisodeBatch, type EpisodeSpec } from './tasks';
import { mostProbableClass } from '../metrics';

export type ConfusionMode = 'mixed' | 'within';

export interface ConfusionRequest {
  way: number;
  shot: number;
  mode: ConfusionMode;
  /** The same seed (with way, shot and mode) gives the same episode. */
  seed: number;
}

/** The episode shape: EVALUATION_QUERIES queries per class; within mode, one held-out alphabet large enough for `way`. */
export function confusionSpec(r: ConfusionRequest): EpisodeSpec {
  return {
    way: r.way,
    shot: r.shot,
    queries: EVALUATION_QUERIES,
    rotations: false,
    ...(r.mode === 'within' ? { alphabet: WITHIN_ANY_ALPHABET } : {}),
  };
}

/** Checks a request from the page: throws with a reason when it is not one. */
export function checkConfusionRequest(r: ConfusionRequest) {
  if (r.mode !== 'mixed' && r.mode !== 'within') throw new Error(`mode must be mixed or within, not ${String(r.mode)}`);
  if (!Number.isSafeInteger(r.seed) || r.seed < 0) throw new Error('the episode seed must be a whole number, 0 or more');
}

/** The seeded held-out episode of a request (one task). */
export function sampleConfusionEpisode(ds: OmniglotDataset, r: ConfusionRequest): EpisodeBatch {
  checkConfusionRequest(r);
  return sampleEpisodes(ds, 'test', confusionSpec(r), 1, createRng(`confusion/${r.mode}/${r.way}-way/${r.shot}-shot/${r.seed}`));
}

export interface ConfusionMatrix {
  way: number;
  /** counts[truth * way + predicted]: queries of class `truth` predicted as `predicted`. */
  counts: Int32Array;
  /** meanProbs[truth * way + c]: the mean probability the queries of class `truth` give class c (rows sum to 1). */
  meanProbs: Float64Array;
  /** Queries per true class. */
  perClass: Int32Array;
  /** Queries counted (those whose label is a class, 0..way-1). */
  total: number;
  correct: number;
}

const labelled = (label: number, way: number) => Number.isInteger(label) && label >= 0 && label < way;

/**
 * The confusion matrix of probabilities [queries, way] against true labels: each query counts
 * once, in its true class's row and its most probable class's column (the first of a tie).
 * Queries whose label is not a class (-1: unknown) are left out.
 */
export function confusionMatrix(probs: ArrayLike<number>, labels: ArrayLike<number>, way: number): ConfusionMatrix {
  if (probs.length !== labels.length * way) throw new Error(`${probs.length} probabilities for ${labels.length} queries of ${way} classes`);
  const counts = new Int32Array(way * way);
  const meanProbs = new Float64Array(way * way);
  const perClass = new Int32Array(way);
  let correct = 0;
  for (let q = 0; q < labels.length; q++) {
    const truth = labels[q];
    if (!labelled(truth, way)) continue;
    const predicted = mostProbableClass(probs, q, way);
    counts[truth * way + predicted]++;
    perClass[truth]++;
    if (predicted === truth) correct++;
    for (let c = 0; c < way; c++) meanProbs[truth * way + c] += probs[q * way + c];
  }
  for (let t = 0; t < way; t++) if (perClass[t]) for (let c = 0; c < way; c++) meanProbs[t * way + c] /= perClass[t];
  return { way, counts, meanProbs, perClass, total: perClass.reduce((a, b) => a + b, 0), correct };
}

export interface Mistake {
  /** The query's index. */
  query: number;
  truth: number;
  predicted: number;
  /** The probability of the class it was taken for, and of its own class. */
  pPredicted: number;
  pTruth: number;
}

/**
 * The misclassified queries (most probable class not the true one; unlabelled queries left
 * out), the most confident mistakes first.
 */
export function misclassified(probs: ArrayLike<number>, labels: ArrayLike<number>, way: number): Mistake[] {
  const out: Mistake[] = [];
  for (let q = 0; q < labels.length; q++) {
    const truth = labels[q];
    if (!labelled(truth, way)) continue;
    const predicted = mostProbableClass(probs, q, way);
    if (predicted === truth) continue;
    out.push({ query: q, truth, predicted, pPredicted: probs[q * way + predicted], pTruth: probs[q * way + truth] });
  }
  return out.sort((a, b) => b.pPredicted - a.pPredicted || a.query - b.query);
}

/** The off-diagonal cells with counts, largest first: the pairs of classes most often confused. */
export function topConfusions(m: ConfusionMatrix, n = 3): { truth: number; predicted: number; count: number }[] {
  const cells: { truth: number; predicted: number; count: number }[] = [];
  for (let t = 0; t < m.way; t++)
    for (let p = 0; p < m.way; p++)
      if (t !== p && m.counts[t * m.way + p]) cells.push({ truth: t, predicted: p, count: m.counts[t * m.way + p] });
  return cells.sort((a, b) => b.count - a.count || a.truth - b.truth || a.predicted - b.predicted).slice(0, n);
}
