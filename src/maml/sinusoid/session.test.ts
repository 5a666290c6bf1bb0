import { describe, expect, it } from 'vitest';
import { PAPER_SINUSOID_CONFIG } from './config';
import { SinusoidSession, diverged } from './session';
import type { CurvePoint } from './views';

const config = { ...PAPER_SINUSOID_CONFIG, metaBatch: 5, seed: 11 };

async function run(s: SinusoidSession, n: number): Promise<CurvePoint[]> {
  for (let i = 0; i < n; i++) s.step();
  return s.flush();
}

describe('SinusoidSession in comparison mode', () => {
  it('trains each compared method exactly as a session of its own on the same stream would', async () => {
    for (const engine of ['fused', 'tfjs'] as const) {
      const cmp = new SinusoidSession(config, engine, [
        { algorithm: 'maml2' },
        { algorithm: 'maml1' },
        { algorithm: 'reptile' },
        { algorithm: 'pretrained' },
      ]);
      expect(cmp.extras.map((e) => e.key)).toEqual(['maml1', 'reptile']);
      const points = await run(cmp, 6);
      for (const algorithm of ['maml1', 'reptile'] as const) {
        const alone = new SinusoidSession({ ...config, algorithm }, engine);
        const own = await run(alone, 6);
        own.forEach((p, i) => {
          expect(points[i].methods![algorithm][0]).toBeCloseTo(p.pre, 5);
          expect(points[i].methods![algorithm][1]).toBeCloseTo(p.post, 5);
        });
        alone.dispose();
      }
      // The meta-learner and the baseline are reported under their own keys too.
      for (const p of points) {
        expect(p.methods!.maml2).toEqual([p.pre, p.post]);
        expect(p.methods!.pretrained).toEqual([p.basePre, p.basePost]);
      }
      // Same initialisation: on the first batch, every method's loss before adaptation agrees.
      const first = Object.values(points[0].methods!).map((m) => m[0]);
      for (const v of first) expect(v).toBeCloseTo(first[0], 4);
      const traces = await cmp.adaptation({ amplitude: 2, phase: 1, supportX: [0, 1, 2], supportY: [1, 0, -1] }, 20);
      expect(Object.keys(traces.extra!)).toEqual(['maml1', 'reptile']);
      expect(traces.extra!.maml1.curves).toHaveLength(20 * (config.testSteps + 1));
      cmp.dispose();
    }
  });

  it('a method with its own K trains on batches of that K and adapts on that many points', async () => {
    const s = new SinusoidSession(config, 'fused', [{ algorithm: 'maml2', shots: 1 }, { algorithm: 'maml2' }]);
    expect(s.extras.map((e) => e.key)).toEqual(['maml2-k1']);
    const alone = new SinusoidSession({ ...config, shots: 1 }, 'fused');
    const [a, b] = [await run(s, 3), await run(alone, 3)];
    a.forEach((p, i) => expect(p.methods!['maml2-k1'][1]).toBeCloseTo(b[i].post, 5));
    const t = await s.adaptation({ amplitude: 2, phase: 1, supportX: [0, 1, 2], supportY: [1, 0, -1] }, 10);
    // Adapting on one point: its support loss is that point's squared error alone.
    const t1 = await alone.adaptation({ amplitude: 2, phase: 1, supportX: [0], supportY: [1] }, 10);
    expect(Array.from(t.extra!['maml2-k1'].supportLoss)).toEqual(Array.from(t1.models.learner.supportLoss));
    s.dispose();
    alone.dispose();
  });

  it('the single-method view trains nothing extra, and divergence of a compared method is caught', async () => {
    const s = new SinusoidSession(config, 'fused');
    expect(s.extras).toEqual([]);
    const [p] = await run(s, 1);
    expect(p.methods).toBeUndefined();
    expect(diverged({ ...p, methods: { maml1: [1, Number.NaN] } })).toBe(true);
    expect(diverged({ ...p, methods: { maml1: [1, 2] } })).toBe(false);
    s.dispose();
  });
});
