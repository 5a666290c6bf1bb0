/**
 * The Omniglot and RL lessons (src/maml/omniglot/lessons.ts, src/maml/rl/lessons.ts) run on
 * the learning core, each checked against the claim its text makes, with fixed thresholds:
 * - orders: the comparison panel's from-scratch run (SCRATCH_COMPARISON: 8 filters, 5-way
 *   1-shot, meta-batch 4, 3 inner steps), 300 meta-iterations of maml2, maml1 and reptile on
 *   the same batches: both MAMLs raise the held-out accuracy after adaptation by at least 10
 *   points, Reptile by at least 2 and less than second-order MAML;
 * - pretrained-20-way: with the same inner steps (the model's one), the shipped meta-learned
 *   model is at least 8 points ahead of the pretrained baseline at 20-way 1-shot (100 held-out
 *   episodes), and still ahead of the baseline given three steps;
 * - more-steps: at 20-way, 5 test steps lose at least 5 points against 1; at 5-way they change
 *   the accuracy by at most 3 points;
 * - far-goal: at (0.5, 0.5), MAML's return after one step beats the pretrained policy's by at
 *   least 15 (20 rollout batches);
 * - steps: MAML after one step beats the pretrained policy after three by at least 15, and its
 *   second step improves on its first (the third may overshoot: it was meta-trained for one).
 */
import {
  DEFAULT_OMNIGLOT_CONFIG,
  EVALUATION_QUERIES,
  EVALUATION_SEED,
  innerFor,
  type OmniglotConfig,
} from '../../src/maml/omniglot/config';
import { ConvMetaLearner } from '../../src/maml/omniglot/convLearner';
import { evaluateOmniglot } from '../../src/maml/omniglot/experiment';
import { comparisonConfig, OmniglotComparison } from '../../src/maml/omniglot/comparison';
import { jsGemm } from '../../src/maml/networks/gemm';
import { defaultGemm } from '../../src/maml/networks/gemmSimd';
import { OMNIGLOT_LESSONS } from '../../src/maml/omniglot/lessons';
import { RL_LESSONS } from '../../src/maml/rl/lessons';
import { adaptAndSample } from '../../src/maml/rl/mamlRl';
import { GaussianMlp } from '../../src/maml/networks/gaussianPolicy';
import { policySizes } from '../../src/maml/rl/rlConfig';
import { createRng } from '../../src/maml/random';
import { loadCheckpoint } from '../load-checkpoint';
import { loadOmniglot } from './omniglotData';
import { loadRlLearner } from './evaluateRl';

export interface LessonCheck {
  preset: string;
  ok: boolean;
  seconds: number;
  [k: string]: unknown;
}

const round = (x: number, d = 3) => +x.toFixed(d);

export function checkOmniglotLessons(): LessonCheck[] {
  const ds = loadOmniglot();
  const out: LessonCheck[] = [];
  const accuracy = (l: ConvMetaLearner, way: number, steps: number, episodes: number) =>
    evaluateOmniglot(l.net, l.body, ds, {
      way,
      shot: 1,
      queries: EVALUATION_QUERIES,
      episodes,
      inner: innerFor(l.config, way, steps),
      seed: EVALUATION_SEED,
    }).accuracy;
  for (const lesson of OMNIGLOT_LESSONS) {
    const t0 = performance.now();
    let row: Record<string, unknown>;
    let ok: boolean;
    if (lesson.id === 'orders') {
      const { config } = comparisonConfig(DEFAULT_OMNIGLOT_CONFIG, lesson.compare!, 'scratch');
      const run = new OmniglotComparison(config, lesson.compare!, defaultGemm());
      const start = Object.fromEntries(
        run.learners.map(({ algorithm, learner }) => [algorithm, accuracy(learner, 5, config.testSteps, 100)]),
      );
      for (let i = 0; i < 300; i++) run.step(ds);
      const result: Record<string, { start: number; end: number }> = {};
      for (const { algorithm, learner } of run.learners)
        result[algorithm] = { start: round(start[algorithm]), end: round(accuracy(learner, 5, config.testSteps, 100)) };
      const gain = (a: string) => result[a].end - result[a].start;
      ok = gain('maml2') >= 0.1 && gain('maml1') >= 0.1 && gain('reptile') >= 0.02 && gain('reptile') < gain('maml2');
      row = { iterations: 300, result };
    } else {
      const ck = loadCheckpoint('public/models/omniglot');
      const meta = new ConvMetaLearner(ck.manifest.config as OmniglotConfig, defaultGemm(), ck.learners.maml.theta);
      if (lesson.id === 'pretrained-20-way') {
        const pk = loadCheckpoint('public/models/omniglot-pretrained');
        const pre = new ConvMetaLearner(pk.manifest.config as OmniglotConfig, defaultGemm(), pk.learners.pretrained.theta);
        const m = accuracy(meta, 20, meta.config.testSteps, 100);
        const p = accuracy(pre, 20, meta.config.testSteps, 100);
        const p3 = accuracy(pre, 20, 3, 100);
        ok = m - p >= 0.08 && m > p3;
        row = { metaLearned: round(m), pretrained: round(p), pretrainedThreeSteps: round(p3) };
      } else {
        const a20 = [accuracy(meta, 20, 1, 100), accuracy(meta, 20, lesson.testSteps!, 100)];
        const a5 = [accuracy(meta, 5, 1, 100), accuracy(meta, 5, lesson.testSteps!, 100)];
        ok = a20[1] <= a20[0] - 0.05 && Math.abs(a5[1] - a5[0]) <= 0.03;
        row = { '20-way': a20.map((a) => round(a)), '5-way': a5.map((a) => round(a)), steps: [1, lesson.testSteps] };
      }
    }
    out.push({ preset: `omniglot/${lesson.id}`, ok, seconds: round((performance.now() - t0) / 1000, 1), ...row });
  }
  return out;
}

export function checkRlLessons(): LessonCheck[] {
  const out: LessonCheck[] = [];
  const mean = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / a.length;
  for (const lesson of RL_LESSONS) {
    const t0 = performance.now();
    const returns: Record<string, number[]> = {};
    for (const method of ['maml', 'pretrained'] as const) {
      const l = loadRlLearner(lesson.family, method);
      const policy = new GaussianMlp(policySizes(l.config), jsGemm);
      const goals = Array.from({ length: 20 }, () => lesson.goal);
      const s = adaptAndSample(policy, l.theta, lesson.family, goals, l.config, createRng(`lesson/${lesson.id}`), lesson.steps);
      returns[method] = [mean(s.before), ...s.afterEach.map(mean)].map((r) => round(r, 2));
    }
    const last = (m: string) => returns[m][returns[m].length - 1];
    const ok =
      lesson.id === 'far-goal'
        ? last('maml') >= last('pretrained') + 15
        : returns.maml[1] >= last('pretrained') + 15 && returns.maml[2] >= returns.maml[1];
    out.push({
      preset: `rl/${lesson.id}`,
      ok,
      seconds: round((performance.now() - t0) / 1000, 1),
      goal: lesson.goal,
      steps: lesson.steps,
      returns,
    });
  }
  return out;
}
