import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../load-checkpoint';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/maml/checkpoint';
import { tfGemm } from '../../src/maml/networks/gemm';
import { createRng } from '../../src/maml/random';
import { evaluateMethod } from '../../src/maml/rl/evaluation';
import { initPolicy } from '../../src/maml/networks/gaussianPolicy';
import { policySizes, rlConfig, type RlConfig } from '../../src/maml/rl/rlConfig';

describe('RL checkpoints', () => {
  it('round-trip a Gaussian MLP policy and refuse a wrong architecture', async () => {
    const config = rlConfig('navigation', { hidden: [5, 4] });
    const sizes = policySizes(config);
    const theta = initPolicy(sizes, createRng(1), -0.5);
    const { manifest, weights } = await encodeCheckpoint({
      experiment: 'rl',
      architecture: { kind: 'gaussianMlp', sizes, activation: 'relu' },
      config,
      learners: { maml: { theta, iteration: 7, algorithm: 'maml-rl-2nd-order' } },
    });
    const ck = decodeCheckpoint(JSON.parse(JSON.stringify(manifest)), weights);
    expect(ck.learners.maml.iteration).toBe(7);
    expect(ck.learners.maml.theta.map((t) => Array.from(t))).toEqual(theta.map((t) => Array.from(t)));
    expect(ck.learners.maml.theta).toHaveLength(2 * (sizes.length - 1) + 1);
    const bad = { ...manifest, architecture: { kind: 'gaussianMlp', sizes: [3, 5, 4, 2], activation: 'relu' } };
    expect(() => decodeCheckpoint(bad, weights)).toThrow(/2-D observation/);
    const conv = { ...manifest, architecture: { kind: 'conv4', filters: 32, channels: 1, imageSize: 28, head: 'zero' } };
    expect(() => decodeCheckpoint(conv, weights)).toThrow(/Gaussian MLP/);
  });
});

/**
 * The shipped policies (public/models/rl/<task>/): after one policy-gradient
 * step on new goals (the evaluation seed's first 40), the MAML policy's average return beats the
 * pretrained policy's, with non-overlapping 95% intervals, and the step itself helps MAML.
 */
describe('shipped RL policies', () => {
  it.each(['navigation', 'velocity'] as const)('%s: MAML after one step beats the pretrained policy after one step', (family) => {
    const load = (method: 'maml' | 'pretrained') => {
      const ck = loadCheckpoint(`public/models/rl/${family}/${method}`);
      return { config: ck.manifest.config as RlConfig, st: ck.learners[method] };
    };
    const m = load('maml');
    const p = load('pretrained');
    const maml = evaluateMethod(m.config, 'maml', m.st.theta, m.st.iteration, 40, undefined, tfGemm);
    const pre = evaluateMethod(p.config, 'pretrained', p.st.theta, p.st.iteration, 40, undefined, tfGemm);
    expect(maml.goals).toBe(40);
    expect(maml.returnAfter - maml.ci95After).toBeGreaterThan(pre.returnAfter + pre.ci95After);
    expect(maml.returnAfter).toBeGreaterThan(maml.returnBefore);
  });
});

describe('resuming an RL run', () => {
  it('from a checkpoint (theta, Adam state, iteration) gives the same parameters as an uninterrupted run', async () => {
    const { RlLearner } = await import('../../src/maml/rl/mamlRl');
    const config = rlConfig('navigation', { hidden: [8, 8], metaBatch: 2, innerTrajectories: 3, outerTrajectories: 3 });
    const sizes = policySizes(config);
    const straight = new RlLearner(config, 'maml');
    straight.step();
    straight.step();
    const first = new RlLearner(config, 'maml');
    first.step();
    const { manifest, weights } = await encodeCheckpoint({
      experiment: 'rl',
      architecture: { kind: 'gaussianMlp', sizes, activation: 'relu' },
      config,
      learners: { maml: { ...(await first.state()), algorithm: 'maml-rl-2nd-order' } },
    });
    const st = decodeCheckpoint(JSON.parse(JSON.stringify(manifest)), weights).learners.maml;
    const resumed = new RlLearner(config, 'maml');
    await resumed.restore(st);
    resumed.step();
    expect(resumed.theta.map((t) => Array.from(t))).toEqual(straight.theta.map((t) => Array.from(t)));
    // And the two steps really moved theta (the comparison is not between two untouched copies).
    expect(Array.from(straight.theta[0])).not.toEqual(Array.from(first.theta[0]));
  });
});
