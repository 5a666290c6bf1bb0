/**
 * Omniglot meta-test evaluation for scripts/evaluate.ts: each setting over the same
 * seeded held-out episodes the page uses, one JSON object per setting with --json.
 */
import type { Checkpoint } from '../../src/maml/checkpoint';
import { evaluateOmniglot, type EvaluationResult } from '../../src/maml/omniglot/experiment';
import { innerFor, EVALUATION_QUERIES, EVALUATION_SEED, EVALUATION_SETTINGS, type OmniglotConfig } from '../../src/maml/omniglot/config';
import { ConvMetaLearner } from '../../src/maml/omniglot/convLearner';
import { defaultGemm } from '../../src/maml/networks/gemmSimd';
import { resolveAlphabet } from '../../src/maml/omniglot/tasks';
import { loadOmniglot } from './omniglotData';

export interface OmniglotEvalArgs {
  episodes: number;
  seed: number;
  steps?: number;
  alpha?: number;
  /** Mixed-alphabet settings, or within one alphabet (`alphabet`: a held-out alphabet's name, or '*' for any large enough). */
  settings?: { way: number; shot: number; alphabet?: string }[];
}

export function evaluateCheckpoint(
  ck: Checkpoint,
  a: OmniglotEvalArgs,
  onDone?: (r: EvaluationResult & { iteration: number; paper?: number }) => void,
) {
  if (ck.manifest.experiment !== 'omniglot') throw new Error(`this is a ${ck.manifest.experiment} checkpoint, not an Omniglot one`);
  const config = ck.manifest.config as OmniglotConfig;
  const state = ck.learners.maml ?? Object.values(ck.learners)[0];
  const learner = new ConvMetaLearner(config, defaultGemm(), state.theta);
  const ds = loadOmniglot();
  const rows = [];
  for (const s of a.settings ?? EVALUATION_SETTINGS) {
    const alphabet = s.alphabet === undefined ? undefined : resolveAlphabet(ds, 'test', s.alphabet);
    const r = evaluateOmniglot(learner.net, learner.body, ds, {
      way: s.way,
      shot: s.shot,
      queries: EVALUATION_QUERIES,
      episodes: a.episodes,
      inner: { alpha: a.alpha ?? innerFor(config, s.way).alpha, steps: a.steps ?? config.testSteps },
      seed: a.seed,
      alphabet,
    });
    const paper =
      alphabet === undefined ? EVALUATION_SETTINGS.find((p) => p.way === s.way && p.shot === s.shot && !p.alphabet)?.paper : undefined;
    const row = {
      ...r,
      accuracy: +r.accuracy.toFixed(4),
      ci95: +r.ci95.toFixed(4),
      iteration: state.iteration,
      ...(paper ? { paper } : {}),
    };
    onDone?.(row);
    rows.push(row);
  }
  return rows;
}

export { EVALUATION_SEED };
