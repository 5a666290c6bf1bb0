/**
 * N-way K-shot episodes from the packed Omniglot subset. Each episode draws N character
 * classes of one split (train: with a random quarter-turn rotation per class when
 * rotations are on, so rotated characters are new classes), gives them labels 0..N-1 in
 * random order, and draws K support and Q query drawings per class, disjoint.
 *
 * Within-alphabet episodes (`alphabet`, for evaluation) are Lake et al.'s one-shot runs: all
 * N characters from one alphabet, and the same drawers for every class, the support drawings
 * by K of them and the queries by Q others. They are much harder than mixed episodes, whose
 * characters usually come from different alphabets and so differ in style as well as shape.
 */
import { OMNIGLOT_PIXELS, writeImage, type AffineWarp, type OmniglotDataset, type Split } from './pack';
import { randomJitter, renderDrawing } from './strokes';
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
  /**
   * Random affine distortion of each class (meta-training augmentation; 0: none): all drawings of
   * a class in an episode get one random rotation (up to 15° x affine), shear (0.15 x affine) and
   * scale per axis (1 ± 0.15 x affine), so a character is seen in new shapes, as new classes.
   */
  affine?: number;
  /**
   * Re-rendering from the pen strokes (meta-training augmentation; 0: none; needs the dataset's
   * strokes): each drawing, with probability 1/2, is drawn again from its strokes with a random
   * pen width, strokes moved and bent at this strength (strokes.ts `randomJitter`).
   */
  strokes?: number;
  /**
   * All classes from one alphabet of the split, drawn by the same drawers: the alphabet's name,
   * or WITHIN_ANY_ALPHABET for one drawn per episode among those with at least N characters.
   */
  alphabet?: string;
  /**
   * Meta-training only: this share (0 to 1) of each batch's episodes drawn within one alphabet
   * (as WITHIN_ANY_ALPHABET), the first round(within x tasks) of them; the rest mixed.
   */
  within?: number;
}

/** EpisodeSpec.alphabet for within-alphabet episodes from any alphabet of the split large enough. */
export const WITHIN_ANY_ALPHABET = '*';

/** The characters of each alphabet of a split, in pack order. */
function alphabetsOf(ds: OmniglotDataset, split: Split): Map<string, OmniglotDataset['classes'][Split]> {
  const out = new Map<string, OmniglotDataset['classes'][Split]>();
  for (const c of ds.classes[split]) out.set(c.alphabet, [...(out.get(c.alphabet) ?? []), c]);
  return out;
}

/**
 * The alphabet a user means: its exact name, or a case-insensitive part of exactly one name
 * of the split ("katakana" is Japanese_(katakana)); throws, listing the names, otherwise.
 */
export function resolveAlphabet(ds: OmniglotDataset, split: Split, name: string): string {
  const names = [...alphabetsOf(ds, split).keys()];
  if (names.includes(name) || name === WITHIN_ANY_ALPHABET) return name;
  const hits = names.filter((n) => n.toLowerCase().includes(name.toLowerCase()));
  if (hits.length === 1) return hits[0];
  throw new Error(`"${name}" ${hits.length ? 'matches several' : 'is none'} of the ${split} alphabets: ${names.join(', ')}`);
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
  if (!Number.isInteger(spec.queries) || spec.queries < q0 || spec.queries > q1)
    throw new Error(`queries must be an integer from ${q0} to ${q1}`);
  const within = spec.within ?? 0;
  if (!(within >= 0 && within <= 1)) throw new Error('the within-alphabet share must be from 0 to 1');
  if (ds && (spec.alphabet !== undefined || within > 0)) {
    const alphabets = alphabetsOf(ds, split);
    if (spec.alphabet === undefined || spec.alphabet === WITHIN_ANY_ALPHABET) {
      const largest = Math.max(...[...alphabets.values()].map((a) => a.length));
      if (largest < spec.way) throw new Error(`no ${split} alphabet has ${spec.way} characters (the largest has ${largest})`);
    } else {
      const chars = alphabets.get(spec.alphabet);
      if (!chars) throw new Error(`${spec.alphabet} is not an alphabet of the ${split} split`);
      if (chars.length < spec.way) throw new Error(`${spec.alphabet} has ${chars.length} characters, fewer than ${spec.way}`);
    }
  }
  if (ds) {
    const classes = ds.classes[split];
    if (classes.length < spec.way) throw new Error(`the ${split} split has ${classes.length} characters, fewer than ${spec.way}`);
    const fewest = Math.min(...classes.map((c) => c.count));
    if (fewest < spec.shot + spec.queries)
      throw new Error(`${spec.shot} support + ${spec.queries} query drawings need more than the ${fewest} a character has`);
  }
}

/** A random affine distortion of strength `k` (see EpisodeSpec.affine), as the source point each output pixel shows. */
export function randomWarp(rng: Rng, k: number): AffineWarp {
  const uniform = (r: number) => (2 * rng.next() - 1) * r;
  const angle = uniform((15 * Math.PI * k) / 180);
  const shear = uniform(0.15 * k);
  const sx = 1 + uniform(0.15 * k);
  const sy = 1 + uniform(0.15 * k);
  // Forward map F = R(angle) · Shear · diag(sx, sy); each output pixel reads F^-1 of itself.
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const f = [cos * sx, (cos * shear - sin) * sy, sin * sx, (sin * shear + cos) * sy];
  const det = f[0] * f[3] - f[1] * f[2];
  return [f[3] / det, -f[1] / det, -f[2] / det, f[0] / det];
}

let redrawn: Uint8Array | null = null;

/** Image `image` drawn again from its strokes at strength k, or (half the time) undefined: the packed image. */
function redraw(ds: OmniglotDataset, image: number, k: number, rng: Rng): Uint8Array | undefined {
  if (rng.next() < 0.5) return undefined;
  const drawing = ds.strokes![image];
  if (!drawing) return undefined;
  return renderDrawing(drawing, (redrawn ??= new Uint8Array(OMNIGLOT_PIXELS)), rng, randomJitter(rng, k));
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
  const withinTasks = spec.alphabet === undefined ? Math.round((spec.within ?? 0) * tasks) : tasks;
  const alphabets = withinTasks > 0 ? alphabetsOf(ds, split) : null;
  const large = alphabets ? [...alphabets.keys()].filter((a) => alphabets.get(a)!.length >= way) : [];
  const support = new Float32Array(tasks * way * shot * P);
  const query = new Float32Array(tasks * way * queries * P);
  const supportLabels = new Int32Array(tasks * way * shot);
  const queryLabels = new Int32Array(tasks * way * queries);
  const classes: EpisodeClass[][] = [];
  const restroke = spec.strokes ?? 0;
  if (restroke > 0 && !ds.strokes) throw new Error("stroke re-rendering needs the drawings' strokes (loaded beside the pack)");
  for (let t = 0; t < tasks; t++) {
    let pool = ds.classes[split];
    // Within one alphabet: its characters only, and one set of drawers (support first) for all classes.
    let drawers: number[] | null = null;
    if (alphabets && t < withinTasks) {
      const named = spec.alphabet !== undefined && spec.alphabet !== WITHIN_ANY_ALPHABET;
      pool = alphabets.get(named ? spec.alphabet! : large[rng.int(large.length)])!;
      drawers = sampleDistinct(rng, Math.min(...pool.map((c) => c.count)), shot + queries);
    }
    // Distinct (character, rotation) pairs; the draw order is the label order, so labels are random.
    const picks = sampleDistinct(rng, pool.length * (spec.rotations ? 4 : 1), way);
    const episode: EpisodeClass[] = [];
    picks.forEach((pick, label) => {
      const c = pool[pick % pool.length];
      const quarterTurns = spec.rotations ? Math.floor(pick / pool.length) : 0;
      const drawings = (drawers ?? sampleDistinct(rng, c.count, shot + queries)).map((d) => c.first + d);
      episode.push({ alphabet: c.alphabet, character: c.character, quarterTurns, images: drawings });
      const m = spec.shift ?? 0;
      const jitter = () => (m > 0 ? rng.int(2 * m + 1) - m : 0);
      const warp = spec.affine ? randomWarp(rng, spec.affine) : undefined;
      const source = (image: number) => (restroke ? redraw(ds, image, restroke, rng) : undefined);
      for (let s = 0; s < shot; s++) {
        const row = (t * way + label) * shot + s;
        writeImage(ds, drawings[s], quarterTurns, support, row * P, jitter(), jitter(), warp, source(drawings[s]));
        supportLabels[row] = label;
      }
      for (let q = 0; q < queries; q++) {
        const row = (t * way + label) * queries + q;
        writeImage(ds, drawings[shot + q], quarterTurns, query, row * P, jitter(), jitter(), warp, source(drawings[shot + q]));
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
