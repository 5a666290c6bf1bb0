import { describe, expect, it } from 'vitest';
import { randomEpisodes } from '../testing/randomEpisodes';
import { ConvNet } from '../networks/convNet';
import { jsGemm } from '../networks/gemm';
import { ConvMetaLearner, convShape } from './convLearner';
import { DEFAULT_OMNIGLOT_CONFIG, type OmniglotConfig } from './config';
import { reduceShares, shareGradients, sliceBatch, taskShares, type ShareGradients } from './dataParallel';
import type { ConvAlgorithm } from '../algorithm/algorithm';

describe('task shares', () => {
  it('cover every task once, contiguous, as even as can be, none empty', () => {
    for (const tasks of [1, 2, 5, 7, 32])
      for (const workers of [1, 2, 3, 4, 8, 40]) {
        const s = taskShares(tasks, workers);
        expect(s.length).toBe(Math.min(tasks, workers));
        expect(s[0].from).toBe(0);
        expect(s[s.length - 1].to).toBe(tasks);
        for (let i = 1; i < s.length; i++) expect(s[i].from).toBe(s[i - 1].to);
        const sizes = s.map((x) => x.to - x.from);
        expect(Math.min(...sizes)).toBeGreaterThan(0);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
  });
});

describe('data-parallel meta-training', () => {
  const config = (algorithm: ConvAlgorithm): OmniglotConfig => ({
    ...DEFAULT_OMNIGLOT_CONFIG,
    algorithm,
    filters: 4,
    metaBatch: 5,
    way: 3,
    shot: 1,
    queries: 2,
    trainSteps: 2,
    alpha: 0.3,
    metaLr: 0.01,
  });

  it.each(['maml2', 'maml1', 'reptile'] as const)(
    '%s: 1, 2, 3 and 5 workers give the single-thread steps bit for bit',
    async (algorithm) => {
      const c = config(algorithm);
      const batches = [0, 1, 2].map((i) => randomEpisodes(`dp/${i}`, c.metaBatch, c.way, c.shot, c.queries));
      const single = new ConvMetaLearner(c, jsGemm);
      const expected = batches.map((b) => single.step(b));
      for (const workers of [1, 2, 3, 5]) {
        const learner = new ConvMetaLearner(c, jsGemm);
        // Each "worker" has its own network and receives copies, as a thread or a process would.
        const remote = new ConvNet(convShape(c.filters), jsGemm);
        const results = [];
        for (const b of batches)
          results.push(
            await learner.stepParallel(b, workers, async (share, body) => ({
              result: Promise.resolve(
                structuredClone(
                  shareGradients(remote, structuredClone(body), sliceBatch(b, share), { alpha: c.alpha, steps: c.trainSteps }, algorithm),
                ),
              ),
            })),
          );
        expect(results).toEqual(expected);
        learner.body.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(single.body[i])));
        expect(learner.iteration).toBe(3);
      }
    },
  );

  it('a share that did not come back is an error, not a smaller batch', () => {
    const c = config('maml2');
    const b = randomEpisodes('dp/missing', 4, c.way, c.shot, c.queries);
    const net = new ConvNet(convShape(c.filters), jsGemm);
    const learner = new ConvMetaLearner(c, jsGemm);
    const [first] = taskShares(4, 2);
    const part: ShareGradients = shareGradients(net, learner.body, sliceBatch(b, first), { alpha: 0.3, steps: 1 }, 'maml2');
    expect(() =>
      reduceShares(
        [part],
        4,
        learner.body.map((w) => new Float32Array(w.length)),
      ),
    ).toThrow(/2 of the batch's 4 tasks/);
  });
});
