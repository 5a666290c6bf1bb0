import { describe, expect, it } from 'vitest';
import * as tf from '../tf';
import { PAPER_SINUSOID_CONFIG as cfg, batchTensors, sinusoidObjective, sizesOf } from './experiment';
import { MetaLearner } from '../algorithm/metaLearner';
import { initMlpValues } from '../networks/mlp';
import { createRng } from '../random';
import { sampleSinusoidBatch } from './tasks';
import { FusedMetaLearner } from './fusedLearner';
import { relativeError } from '../testing/float64Maml';

describe('FusedMetaLearner', () => {
  for (const algorithm of ['maml2', 'maml1', 'pretrained'] as const) {
    it(`follows the tfjs MetaLearner step for step (${algorithm})`, async () => {
      const init = initMlpValues(sizesOf(cfg.hidden), createRng(5));
      const lc = { algorithm, inner: { alpha: cfg.alpha, steps: 1 }, metaLr: cfg.metaLr };
      const fused = new FusedMetaLearner(sizesOf(cfg.hidden), init, lc);
      const ref = new MetaLearner(sinusoidObjective(cfg.hidden), init, lc);
      for (let i = 0; i < 20; i++) {
        const raw = sampleSinusoidBatch(createRng(`5/${i}`), cfg.metaBatch, cfg.shots);
        const a = fused.step(raw);
        const t = batchTensors(raw);
        const b = ref.step(t);
        expect(a.postLoss).toBeCloseTo((await b.postLoss.data())[0], 3);
        expect(a.preLoss).toBeCloseTo((await b.preLoss.data())[0], 3);
        tf.dispose([b.preLoss, b.postLoss, Object.values(t)]);
      }
      expect(relativeError(await fused.values(), await ref.values())).toBeLessThan(1e-4);
      // A state round trip (the checkpoint format) resumes the same run.
      const copy = new FusedMetaLearner(sizesOf(cfg.hidden), init, lc);
      await copy.restore(await fused.state());
      const raw = sampleSinusoidBatch(createRng('5/next'), cfg.metaBatch, cfg.shots);
      fused.step(raw);
      copy.step(raw);
      expect(relativeError(await copy.values(), await fused.values())).toBe(0);
      fused.dispose();
      copy.dispose();
      ref.dispose();
    });
  }
});
