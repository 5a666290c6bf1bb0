import { describe, expect, it } from 'vitest';
import * as tf from '../tf';
import { ALGORITHMS } from './metaGradient';
import { PAPER_SINUSOID_CONFIG, batchTensors, evaluateSinusoid, sinusoidObjective, sizesOf } from '../sinusoid/experiment';
import { MetaLearner } from './metaLearner';
import { initMlpValues } from '../networks/mlp';
import { meanCi95 } from '../metrics';
import { createRng } from '../random';
import { sampleSinusoidBatch } from '../sinusoid/tasks';

const cfg = PAPER_SINUSOID_CONFIG;

function train(algorithm: (typeof ALGORITHMS)[number], iterations: number, seed: number, onIteration?: (i: number) => void) {
  const rng = createRng(seed);
  const learner = new MetaLearner(sinusoidObjective(cfg.hidden), initMlpValues(sizesOf(cfg.hidden), rng), {
    algorithm,
    inner: { alpha: cfg.alpha, steps: cfg.trainSteps },
    metaLr: cfg.metaLr,
  });
  for (let i = 0; i < iterations; i++) {
    const batch = batchTensors(sampleSinusoidBatch(rng, cfg.metaBatch, cfg.shots));
    const { preLoss, postLoss } = learner.step(batch);
    tf.dispose([preLoss, postLoss, Object.values(batch)]);
    onIteration?.(i);
  }
  return learner;
}

describe('MetaLearner on sinusoids', () => {
  // A tensor kept per iteration would show as 90 more at the end; 100 iterations are enough to see it.
  it('keeps the tensor count flat over 100 iterations for every algorithm', () => {
    for (const algorithm of ALGORITHMS) {
      const counts: number[] = [];
      const learner = train(algorithm, 100, 3, (i) => {
        if (i === 9 || i === 99) counts.push(tf.memory().numTensors);
      });
      expect(counts[1], algorithm).toBe(counts[0]);
      learner.dispose();
    }
  });

  // Seeded, so the same numbers every run: at 1,000 iterations MAML 1.375 ± 0.219 against 2.587 ± 0.472.
  it('meta-learns: after 1,000 seeded iterations, 1-step K=10 MSE is far below the pretrained baseline', async () => {
    const maml = train('maml2', 1000, 7);
    const pretrained = train('pretrained', 1000, 7);
    const opts = { tasks: 100, shots: 10, steps: [0, 1], alpha: cfg.alpha };
    const m = await evaluateSinusoid(maml.theta, createRng(1234), opts);
    const p = await evaluateSinusoid(pretrained.theta, createRng(1234), opts);
    const mamlMse = meanCi95(m.mse[1]);
    const baseMse = meanCi95(p.mse[1]);
    console.log(
      `1,000 iterations, 100 held-out tasks, K=10, 1 step: MAML ${mamlMse.mean.toFixed(3)} ± ${mamlMse.ci95.toFixed(3)}, pretrained ${baseMse.mean.toFixed(3)} ± ${baseMse.ci95.toFixed(3)}`,
    );
    expect(mamlMse.mean + mamlMse.ci95).toBeLessThan(baseMse.mean - baseMse.ci95);
    expect(mamlMse.mean).toBeLessThan(0.6 * baseMse.mean);
    maml.dispose();
    pretrained.dispose();
  });
});
