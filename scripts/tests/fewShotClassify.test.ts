import { describe, expect, it } from 'vitest';
import { loadOmniglot } from '../lib/omniglotData';
import { loadCheckpoint } from '../load-checkpoint';
import { OMNIGLOT_PIXELS } from '../../src/maml/omniglot/pack';
import { ConvMetaLearner } from '../../src/maml/omniglot/convLearner';
import { defaultGemm } from '../../src/maml/networks/gemmSimd';
import { createRng } from '../../src/maml/random';
import { sampleEpisodes } from '../../src/maml/omniglot/tasks';
import { adaptationTrace } from '../../src/maml/omniglot/convMaml';
import { mostProbableClass } from '../../src/maml/metrics';
import { classifyFewShot, nearestNeighbour, type LabelledImages } from '../../src/maml/omniglot/fewShotClassify';
import { innerFor, type OmniglotConfig } from '../../src/maml/omniglot/config';

const ds = loadOmniglot();

function episodeData(seed: string): { data: LabelledImages; truth: number[] } {
  const b = sampleEpisodes(ds, 'test', { way: 5, shot: 1, queries: 2, rotations: false }, 1, createRng(seed));
  const img = (a: Float32Array, i: number) => a.slice(i * OMNIGLOT_PIXELS, (i + 1) * OMNIGLOT_PIXELS);
  return {
    data: {
      classes: Array.from({ length: 5 }, (_, c) => [img(b.support, c)]),
      queries: Array.from({ length: 10 }, (_, q) => img(b.query, q)),
    },
    truth: Array.from(b.queryLabels),
  };
}

describe('few-shot classification of given examples', () => {
  it('the meta-learned model beats nearest neighbour in pixel space and a random initialisation', () => {
    const ck = loadCheckpoint('public/models/omniglot');
    const config = ck.manifest.config as OmniglotConfig;
    const meta = new ConvMetaLearner(config, defaultGemm(), ck.learners.maml.theta);
    const random = new ConvMetaLearner({ ...config, seed: 123 }, defaultGemm());
    let m = 0,
      r = 0,
      n = 0;
    for (let e = 0; e < 20; e++) {
      const { data, truth } = episodeData(`fs/${e}`);
      const inner = innerFor(config, 5);
      const pm = classifyFewShot(meta.net, meta.body, data, inner);
      const pr = classifyFewShot(random.net, random.body, data, inner);
      const nn = nearestNeighbour(data);
      expect(pm.probs).toHaveLength(inner.steps + 1);
      truth.forEach((t, q) => {
        m += Number(pm.predicted[q].label === t);
        r += Number(pr.predicted[q].label === t);
        n += Number(nn[q].label === t);
      });
    }
    expect(m / 200).toBeGreaterThan(0.8);
    expect(m).toBeGreaterThan(n + 20);
    expect(m).toBeGreaterThan(r + 20);
  });

  it('weighs classes equally: repeating the example of one class keeps the predictions, where unweighted examples change most', () => {
    const ck = loadCheckpoint('public/models/omniglot');
    const config = ck.manifest.config as OmniglotConfig;
    const l = new ConvMetaLearner(config, defaultGemm(), ck.learners.maml.theta);
    const inner = innerFor(config, 5, 2);
    let kept = 0;
    let keptUnweighted = 0;
    let total = 0;
    for (const seed of ['balance', 'b2', 'b3', 'b4']) {
      const { data } = episodeData(seed);
      const once = classifyFewShot(l.net, l.body, data, inner).predicted.map((p) => p.label);
      const classes = data.classes.map((c, i) => (i === 0 ? [c[0], c[0], c[0], c[0]] : c));
      const repeated = classifyFewShot(l.net, l.body, { ...data, classes }, inner).predicted.map((p) => p.label);
      // The same adaptation with every example weighing the same: class 0 counts four times.
      const xs = new Float32Array(8 * OMNIGLOT_PIXELS);
      classes.flat().forEach((img, i) => xs.set(img, i * OMNIGLOT_PIXELS));
      const ys = Int32Array.from(classes.flatMap((c, label) => c.map(() => label)));
      const xq = new Float32Array(10 * OMNIGLOT_PIXELS);
      data.queries.forEach((q, i) => xq.set(q, i * OMNIGLOT_PIXELS));
      const trace = adaptationTrace(l.net, l.body, { way: 5, xs, ys, ws: new Float64Array(8).fill(1), xq, yq: new Int32Array(10) }, inner);
      const last = trace.probs[trace.probs.length - 1];
      once.forEach((label, q) => {
        kept += Number(repeated[q] === label);
        keptUnweighted += Number(mostProbableClass(last, q, 5) === label);
        total++;
      });
    }
    // Batch norm sees the repeats, so not bit for bit: measured 38 of 40 kept with the shipped
    // 64-filter model (35 with the 32-filter one shipped before it), 17 and 14 of 40 without the weights.
    console.log(
      `repeating one class's example 4 times: ${kept} of ${total} predictions kept with the class weights, ${keptUnweighted} without`,
    );
    expect(kept).toBeGreaterThanOrEqual(34);
    expect(keptUnweighted).toBeLessThan(total / 2);
  });

  it('says what is missing', () => {
    const q = new Float32Array(784);
    const ck = loadCheckpoint('public/models/omniglot');
    const l = new ConvMetaLearner(ck.manifest.config as OmniglotConfig, defaultGemm(), ck.learners.maml.theta);
    const inner = { alpha: 0.4, steps: 1 };
    expect(() => classifyFewShot(l.net, l.body, { classes: [[q]], queries: [q] }, inner)).toThrow(/1 classes: the model serves 2 to 20/);
    expect(() => classifyFewShot(l.net, l.body, { classes: [[q], []], queries: [q] }, inner)).toThrow(/class 2 has no examples/);
    expect(() => classifyFewShot(l.net, l.body, { classes: [[q], [q]], queries: [] }, inner)).toThrow(/nothing to classify/);
    // One limit of examples per class everywhere (the page, batch mode, npm run classify): 1 to 5.
    expect(() => classifyFewShot(l.net, l.body, { classes: [[q], Array(6).fill(q)], queries: [q] }, inner)).toThrow(
      'class 2 has 6 examples: the model takes 1 to 5',
    );
  });
});
