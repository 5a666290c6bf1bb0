/**
 * Meta-test evaluation on held-out alphabets: adapt from the meta-learned blocks (and a
 * zero head) on each episode's support set, classify its query set. Episodes mix alphabets,
 * or (a setting's `alphabet`) take all classes from one, as Lake et al.'s one-shot runs do.
 */
import type { OmniglotDataset } from './pack';
import { adapt, episodeTask, withZeroHead, type ConvInner, type EpisodeTask } from './convMaml';
import { credit, type ConvNet } from '../networks/convNet';
import type { Vec } from '../networks/gemm';
import { meanCi95 } from '../metrics';
import { createRng } from '../random';
import { sampleEpisodes } from './tasks';
import { wasmScope } from '../networks/wasmInstance';

/** Query accuracy of one episode after the inner steps (ties split evenly). */
export function episodeAccuracy(net: ConvNet, body: Vec[], task: EpisodeTask, inner: ConvInner): number {
  return wasmScope(() => scoredAccuracy(net, body, task, inner)); // the kernels' arrays stay in the SIMD memory for the episode
}

function scoredAccuracy(net: ConvNet, body: Vec[], task: EpisodeTask, inner: ConvInner): number {
  const final = adapt(net, withZeroHead(net, body, task.way), task, inner);
  const nq = task.yq.length;
  const { logits } = net.forward(final, task.xq, nq, task.way);
  let correct = 0;
  for (let b = 0; b < nq; b++) {
    let max = -Infinity;
    for (let n = 0; n < task.way; n++) max = Math.max(max, logits[b * task.way + n]);
    correct += credit(logits, b * task.way, task.way, max, task.yq[b]);
  }
  return correct / nq;
}

export interface EvaluationSetting {
  way: number;
  shot: number;
  /** Query drawings per class. */
  queries: number;
  episodes: number;
  inner: ConvInner;
  seed: number;
  /** Within-alphabet episodes: all classes from this held-out alphabet (or WITHIN_ANY_ALPHABET); mixed when absent. */
  alphabet?: string;
}

export interface EvaluationResult {
  experiment: 'omniglot';
  way: number;
  shot: number;
  queries: number;
  steps: number;
  alpha: number;
  episodes: number;
  accuracy: number;
  ci95: number;
  /** Present for within-alphabet settings. */
  alphabet?: string;
}

/** The seeded stream of a setting's episodes: mixed settings keep the stream they always had. */
const streamOf = (s: EvaluationSetting) =>
  createRng(`${s.seed}/omniglot-test/${s.way}-way/${s.shot}-shot${s.alphabet === undefined ? '' : `/within/${s.alphabet}`}`);
const specOf = (s: EvaluationSetting) => ({
  way: s.way,
  shot: s.shot,
  queries: s.queries,
  rotations: false,
  ...(s.alphabet === undefined ? {} : { alphabet: s.alphabet }),
});
const resultOf = (s: EvaluationSetting, accuracy: number, ci95: number): EvaluationResult => ({
  experiment: 'omniglot',
  way: s.way,
  shot: s.shot,
  queries: s.queries,
  steps: s.inner.steps,
  alpha: s.inner.alpha,
  episodes: s.episodes,
  accuracy,
  ci95,
  ...(s.alphabet === undefined ? {} : { alphabet: s.alphabet }),
});

/**
 * Mean accuracy over `episodes` held-out episodes with its 95% interval. The episodes
 * are drawn from (seed, way, shot), so every model meets the same ones.
 */
export function evaluateOmniglot(
  net: ConvNet,
  body: Vec[],
  ds: OmniglotDataset,
  s: EvaluationSetting,
  onEpisode?: (done: number, accuracy: number) => void,
): EvaluationResult {
  const rng = streamOf(s);
  const acc = new Float64Array(s.episodes);
  for (let e = 0; e < s.episodes; e++) {
    const batch = sampleEpisodes(ds, 'test', specOf(s), 1, rng);
    acc[e] = episodeAccuracy(net, body, episodeTask(batch, 0), s.inner);
    onEpisode?.(e + 1, acc[e]);
  }
  const { mean, ci95 } = meanCi95(acc);
  return resultOf(s, mean, ci95);
}

/**
 * The same evaluation, a few episodes at a time (for the worker, which keeps training
 * and answering between chunks). Settings run in order; each has its own seeded stream,
 * identical to evaluateOmniglot's.
 */
export class IncrementalEvaluation {
  private current = 0;
  private accs: Float64Array[];
  private done: number[];
  private rngs: ReturnType<typeof createRng>[];

  constructor(
    private readonly net: ConvNet,
    private readonly body: Vec[],
    private readonly ds: OmniglotDataset,
    readonly settings: EvaluationSetting[],
  ) {
    this.accs = settings.map((s) => new Float64Array(s.episodes));
    this.done = settings.map(() => 0);
    this.rngs = settings.map(streamOf);
  }

  get finished(): boolean {
    return this.current >= this.settings.length;
  }

  /** Runs episodes until `budgetMs` has passed (at least one). */
  advance(budgetMs: number) {
    const t0 = performance.now();
    while (!this.finished) {
      const i = this.current;
      const s = this.settings[i];
      const batch = sampleEpisodes(this.ds, 'test', specOf(s), 1, this.rngs[i]);
      this.accs[i][this.done[i]] = episodeAccuracy(this.net, this.body, episodeTask(batch, 0), s.inner);
      if (++this.done[i] === s.episodes) this.current++;
      if (performance.now() - t0 > budgetMs) break;
    }
  }

  /** Results so far: the mean and interval over the episodes done. */
  results(): (EvaluationResult & { done: number })[] {
    return this.settings.map((s, i) => {
      const n = this.done[i];
      const { mean, ci95 } = n ? meanCi95(this.accs[i].subarray(0, n)) : { mean: NaN, ci95: NaN };
      return { ...resultOf(s, mean, ci95), done: n };
    });
  }
}
