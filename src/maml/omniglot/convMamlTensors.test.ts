import { describe, expect, it } from 'vitest';
import { onTfjsCpu } from '../testing/onTfjsCpu';
import * as tf from '../tf';
import { createRng } from '../random';
import { randomEpisodes } from '../testing/randomEpisodes';
import type { EpisodeBatch } from './tasks';
import { BODY_PARAMS, ConvNet, initBody, type ConvNetShape } from '../networks/convNet';
import { metaGradient } from './convMaml';
import { metaGradientTensors } from './convMamlTensors';
import { ConvNetTensors } from '../networks/convNetTensors';
import { jsGemm } from '../networks/gemm';

/**
 * The batched tensor version (for WebGPU and WebGL) against the float64 hand-derived
 * kernel, which is itself checked against finite differences (convNet.test.ts): the
 * same meta-gradient for every algorithm, 1 and 2 inner steps, several tasks at once.
 * Runs on tfjs's cpu backend, which has the same kernels as the GPU backends here.
 */
const shape: ConvNetShape = { filters: 4, channels: 1, imageSize: 28 };

onTfjsCpu();

describe('batched tensor meta-gradient (GPU path)', () => {
  it.each([
    ['maml2', 1, 0.4],
    ['maml2', 2, 0.3],
    ['maml1', 2, 0.3],
    ['reptile', 2, 0.3],
  ] as const)('%s, %i steps: matches the float64 kernel', async (algorithm, steps, alpha) => {
    const rng = createRng('w');
    const body = initBody(shape, () => rng.next());
    const b = randomEpisodes('b', 3, 4, 2, 2);
    const net = new ConvNetTensors(shape);
    const before = tf.memory().numTensors;
    const { grads, sums } = await metaGradientTensors(net, body, b, { alpha, steps }, algorithm);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    const ref = body.map((x) => new Float64Array(x.length));
    const body64 = body.map((x) => Float64Array.from(x));
    const b64 = { ...b, support: Float64Array.from(b.support), query: Float64Array.from(b.query) } as unknown as EpisodeBatch;
    const r = metaGradient(new ConvNet(shape, jsGemm), body64, b64, { alpha, steps }, algorithm, ref);
    expect(grads).toHaveLength(BODY_PARAMS);
    const a = grads.flatMap((g) => [...g]);
    const e = ref.flatMap((g) => [...g]);
    const err = Math.sqrt(a.reduce((s, v, i) => s + (v - e[i]) ** 2, 0) / e.reduce((s, v) => s + v * v, 0));
    expect(err).toBeLessThan(2e-4);
    expect(sums.postLoss / sums.tasks).toBeCloseTo(r.postLoss, 4);
  });
});
