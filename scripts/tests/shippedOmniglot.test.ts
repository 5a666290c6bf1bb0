import { describe, expect, it } from 'vitest';
import { loadOmniglot } from '../lib/omniglotData';
import { loadCheckpoint } from '../load-checkpoint';
import { evaluateOmniglot } from '../../src/maml/omniglot/experiment';
import {
  innerFor,
  DEFAULT_OMNIGLOT_CONFIG,
  EVALUATION_QUERIES,
  EVALUATION_SEED,
  type OmniglotConfig,
} from '../../src/maml/omniglot/config';
import { trainingBatch } from '../../src/maml/omniglot/tasks';
import { ConvMetaLearner } from '../../src/maml/omniglot/convLearner';
import { defaultGemm } from '../../src/maml/networks/gemmSimd';

const ds = loadOmniglot();

describe('Omniglot meta-learning', () => {
  it('a short seeded run lifts held-out 5-way 1-shot accuracy well above chance (20%)', () => {
    const config: OmniglotConfig = { ...DEFAULT_OMNIGLOT_CONFIG, filters: 16, metaBatch: 16, queries: 3, seed: 5 };
    const learner = new ConvMetaLearner(config, defaultGemm());
    const evaluate = () =>
      evaluateOmniglot(learner.net, learner.body, ds, {
        way: 5,
        shot: 1,
        queries: 3,
        episodes: 100,
        inner: { alpha: config.alpha, steps: 1 },
        seed: 99,
      }).accuracy;
    const before = evaluate();
    const spec = { way: config.way, shot: config.shot, queries: config.queries, rotations: true };
    let first = 0;
    let last = 0;
    for (let i = 0; i < 80; i++) {
      const r = learner.step(trainingBatch(ds, spec, config.metaBatch, config.seed, i));
      if (i < 5) first += r.postAccuracy / 5;
      if (i >= 75) last += r.postAccuracy / 5;
    }
    const after = evaluate();
    console.log(
      `held-out 5-way 1-shot: ${before.toFixed(3)} before, ${after.toFixed(3)} after; training query accuracy ${first.toFixed(3)} -> ${last.toFixed(3)}`,
    );
    expect(last).toBeGreaterThan(first + 0.1);
    expect(after).toBeGreaterThan(0.4); // twice chance
    expect(after).toBeGreaterThan(before + 0.1);
  });

  it('the shipped checkpoint reaches its targets on held-out alphabets (5-way 1-shot >= 90%, 20-way 1-shot >= 70%)', () => {
    const ck = loadCheckpoint('public/models/omniglot');
    const config = ck.manifest.config as OmniglotConfig;
    const learner = new ConvMetaLearner(config, defaultGemm(), ck.learners.maml.theta);
    const five = evaluateOmniglot(learner.net, learner.body, ds, {
      way: 5,
      shot: 1,
      queries: EVALUATION_QUERIES,
      episodes: 150,
      inner: innerFor(config, 5),
      seed: EVALUATION_SEED,
    });
    const twenty = evaluateOmniglot(learner.net, learner.body, ds, {
      way: 20,
      shot: 1,
      queries: EVALUATION_QUERIES,
      episodes: 60,
      inner: innerFor(config, 20),
      seed: EVALUATION_SEED,
    });
    expect(five.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(twenty.accuracy).toBeGreaterThanOrEqual(0.7);
  });

  const maml = () => loadCheckpoint('public/models/omniglot');
  const base = () => loadCheckpoint('public/models/omniglot-pretrained');
  /** Held-out accuracy after one step of a checkpoint's learner on fixed episodes (mixed, or within `alphabet`). */
  const accuracy = (ck: ReturnType<typeof maml>, way: number, episodes: number, alphabet?: string) => {
    const config = ck.manifest.config as OmniglotConfig;
    const state = ck.learners.maml ?? ck.learners.pretrained;
    const l = new ConvMetaLearner(config, defaultGemm(), state.theta);
    return evaluateOmniglot(l.net, l.body, ds, {
      way,
      shot: 1,
      queries: EVALUATION_QUERIES,
      episodes,
      inner: innerFor(config, way, 1),
      seed: EVALUATION_SEED,
      alphabet,
    }).accuracy;
  };

  it('the meta-learned body adapts better than the pretrained baseline on the same held-out episodes (5-way 1-shot, one step)', () => {
    expect(base().learners.pretrained.iteration).toBeGreaterThan(0);
    const meta = accuracy(maml(), 5, 150);
    const pretrained = accuracy(base(), 5, 150);
    console.log(`held-out 5-way 1-shot after one step: meta-learned ${meta.toFixed(3)}, pretrained ${pretrained.toFixed(3)}`);
    expect(pretrained).toBeGreaterThan(0.5); // a real baseline, far above chance (20%)
    expect(meta).toBeGreaterThan(pretrained + 0.04);
  });

  it('within one alphabet (20-way 1-shot katakana, support and queries by different drawers): >= 65%, 6 points ahead of the pretrained baseline', () => {
    const meta = accuracy(maml(), 20, 60, 'Japanese_(katakana)');
    const pretrained = accuracy(base(), 20, 60, 'Japanese_(katakana)');
    console.log(
      `held-out 20-way 1-shot within katakana after one step: meta-learned ${meta.toFixed(3)}, pretrained ${pretrained.toFixed(3)}`,
    );
    expect(meta).toBeGreaterThanOrEqual(0.65); // chance: 5%
    expect(meta).toBeGreaterThan(pretrained + 0.06);
  });
});
