/**
 * N-way K-shot episodes from the packed Omniglot subset. Each episode draws N character
 * classes of one split (train: with a random quarter-turn rotation per class when
 * rotations are on, so rotated characters are new classes), gives them labels 0..N-1 in
 * random order, and draws K support and Q query drawings per class, disjoint.
 */
import { OMNIGLOT_PIXELS, writeImage, type OmniglotDataset, type Split } from '../data/omniglotPack';
import { createRng, type Rng } from '../random';

export interface EpisodeSpec {
  way: number;
  shot: number;
  /** Query drawings per class. */
  queries: number;
  /** Random quarter-turn rotations as extra classes (meta-training only). */
  rotations: boolean;
  /** Each drawing shifted by up to this many pixels in x and y at random (meta-training augmentation). */
  shift?: number;
}

export const EPISODE_LIMITS = { way: [2, 20], shot: [1, 5], queries: [1, 15] } as const;

export interface EpisodeClass {
  alphabet: string;
  character: string;
  quarterTurns: number;
  /** Image numbers in the pack: shot support drawings, then the query drawings. */
  images: number[];
}

/** Several episodes of one shape, images flattened: [tasks, way*shot, 28*28] and [tasks, way*queries, 28*28]. */
export interface EpisodeBatch {
  tasks: number;
  way: number;
  shot: number;
  queries: number;
  support: Float32Array;
  supportLabels: Int32Array;
  query: Float32Array;
  queryLabels: Int32Array;
  /** classes[t][label] */
  classes: EpisodeClass[][];
}

export function checkEpisodeSpec(spec: EpisodeSpec, ds?: OmniglotDataset, split: Split = 'train') {
  const [w0, w1] = EPISODE_LIMITS.way;
  const [s0, s1] = EPISODE_LIMITS.shot;
  const [q0, q1] = EPISODE_LIMITS.queries;
  if (!Number.isInteger(spec.way) || spec.way < w0 || spec.way > w1) throw new Error(`way must be an integer from ${w0} to ${w1}`);
  if (!Number.isInteger(spec.shot) || spec.shot < s0 || spec.shot > s1) throw new Error(`shot must be an integer from ${s0} to ${s1}`);
  if (!Number.isInteger(spec.queries) || spec.queries < q0 || spec.queries > q1) throw new Error(`queries must be an integer from ${q0} to ${q1}`);
  if (ds) {
    const classes = ds.classes[split];
    if (classes.length < spec.way) throw new Error(`the ${split} split has ${classes.length} characters, fewer than ${spec.way}`);
    const fewest = Math.min(...classes.map((c) => c.count));
    if (fewest < spec.shot + spec.queries) throw new Error(`${spec.shot} support + ${spec.queries} query drawings need more than the ${fewest} a character has`);
  }
}

/** Partial Fisher-Yates: k distinct integers from [0, n) in random order. */
export function sampleDistinct(rng: Rng, n: number, k: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, k);
}

export function sampleEpisodes(ds: OmniglotDataset, split: Split, spec: EpisodeSpec, tasks: number, rng: Rng): EpisodeBatch {
  checkEpisodeSpec(spec, ds, split);
  const { way, shot, queries } = spec;
  const P = OMNIGLOT_PIXELS;
  const pool = ds.classes[split];
  const support = new Float32Array(tasks * way * shot * P);
  const query = new Float32Array(tasks * way * queries * P);
  const supportLabels = new Int32Array(tasks * way * shot);
  const queryLabels = new Int32Array(tasks * way * queries);
  const classes: EpisodeClass[][] = [];
  for (let t = 0; t < tasks; t++) {
    // Distinct (character, rotation) pairs; the draw order is the label order, so labels are random.
    const picks = sampleDistinct(rng, pool.length * (spec.rotations ? 4 : 1), way);
    const episode: EpisodeClass[] = [];
    picks.forEach((pick, label) => {
      const c = pool[pick % pool.length];
      const quarterTurns = spec.rotations ? Math.floor(pick / pool.length) : 0;
      const drawings = sampleDistinct(rng, c.count, shot + queries).map((d) => c.first + d);
      episode.push({ alphabet: c.alphabet, character: c.character, quarterTurns, images: drawings });
      const m = spec.shift ?? 0;
      const jitter = () => (m > 0 ? rng.int(2 * m + 1) - m : 0);
      for (let s = 0; s < shot; s++) {
        const row = (t * way + label) * shot + s;
        writeImage(ds, drawings[s], quarterTurns, support, row * P, jitter(), jitter());
        supportLabels[row] = label;
      }
      for (let q = 0; q < queries; q++) {
        const row = (t * way + label) * queries + q;
        writeImage(ds, drawings[shot + q], quarterTurns, query, row * P, jitter(), jitter());
        queryLabels[row] = label;
      }
    });
    classes.push(episode);
  }
  return { tasks, way, shot, queries, support, supportLabels, query, queryLabels, classes };
}

/** The meta-training batch of iteration i under a seed: the same seed gives the same stream. */
export function trainingBatch(ds: OmniglotDataset, spec: EpisodeSpec, tasks: number, seed: number, iteration: number): EpisodeBatch {
  return sampleEpisodes(ds, 'train', spec, tasks, createRng(`${seed}/omniglot/${iteration}`));
}
