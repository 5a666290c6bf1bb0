/**
 * The conv net's passes on two engines: the WebAssembly SIMD passes compute the JavaScript
 * passes' arithmetic on float32 arrays (batch norm in float64), so they must agree bit for
 * bit (odd channel counts take the module's scalar tails), and so must a whole second-order
 * meta-gradient of the conv net on either. The JavaScript passes themselves are checked against float64
 * finite differences in convNet.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../random';
import { jsConvPasses } from './convPasses';
import { simdConvPasses } from './convPassesSimd';
import { BODY_PARAMS, ConvNet, bodyShapes, initBody } from './convNet';
import { tfGemm } from './gemm';
import { taskMetaGradient, type EpisodeTask } from '../omniglot/convMaml';

const simd = simdConvPasses();
if ('unavailable' in simd) throw new Error(`no SIMD batch norm in Node: ${simd.unavailable}`);

const random = (seed: string, n: number, f: (r: ReturnType<typeof createRng>) => number) => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => f(rng));
};

describe('the conv passes on WebAssembly SIMD', () => {
  for (const [M, C] of [
    [980, 32],
    [49, 64],
    [30, 5],
    [7, 1],
  ])
    it(`forward and backward equal the JavaScript passes bit for bit: ${M} rows of ${C} channels`, () => {
      const z = random(`z${M}/${C}`, M * C, (r) => 3 * r.normal() + 0.5);
      const gamma = random(`g${C}`, C, (r) => 1 + 0.3 * r.normal());
      const beta = random(`b${C}`, C, (r) => 0.3 * r.normal());
      const f = simd.forward(z, gamma, beta, M, C);
      const g = jsConvPasses.forward(z, gamma, beta, M, C);
      expect(f).toEqual(g);
      expect(f.a.some((v) => v === 0) && f.a.some((v) => v > 0)).toBe(true); // both sides of the ReLU
      const da = random(`da${M}/${C}`, M * C, (r) => r.normal());
      expect(simd.backward(da, f.a, f.xhat, gamma, f.s, M, C)).toEqual(jsConvPasses.backward(da, g.a, g.xhat, gamma, g.s, M, C));
    });

  it('im2col and col2im equal the JavaScript passes bit for bit, at every block of the network', () => {
    const net = new ConvNet({ filters: 6, channels: 1, imageSize: 28 }, tfGemm, simd);
    for (const g of net.geometry) {
      const B = 3;
      const x = random(`x${g.h}`, B * g.h * g.w * g.cin, (r) => r.normal());
      const cols = net.im2col(x, B, g);
      expect(cols).toEqual(new ConvNet(net.shape, tfGemm, jsConvPasses).im2col(x, B, g));
      expect(cols.some((v) => v === 0) && cols.some((v) => v !== 0)).toBe(true); // padding and pixels
      const dcols = random(`dc${g.h}`, cols.length, (r) => r.normal());
      const back = net.col2im(dcols, B, g);
      expect(back).toHaveLength(x.length);
      expect(back).toEqual(new ConvNet(net.shape, tfGemm, jsConvPasses).col2im(dcols, B, g));
    }
  });

  it('gives float64 arrays to the JavaScript passes', () => {
    const z = Float64Array.from({ length: 12 }, (_, i) => Math.sin(i));
    const one = new Float64Array(3).fill(1);
    const f = simd.forward(z, one, new Float64Array(3), 4, 3);
    expect(f.xhat).toBeInstanceOf(Float64Array);
    expect(f).toEqual(jsConvPasses.forward(z, one, new Float64Array(3), 4, 3));
  });

  it('a second-order meta-gradient of the conv net (two inner steps, R-operator) is the same on either engine', () => {
    const shape = { filters: 8, channels: 1, imageSize: 28 };
    const rng = createRng('bn-simd/body');
    const body = initBody(shape, () => rng.next());
    const images = (seed: string, n: number) => random(seed, n * 28 * 28, (r) => (r.next() < 0.2 ? r.next() : 0));
    const task: EpisodeTask = {
      way: 3,
      xs: images('xs', 3),
      ys: Int32Array.from([0, 1, 2]),
      xq: images('xq', 6),
      yq: Int32Array.from([0, 1, 2, 2, 1, 0]),
    };
    const run = (net: ConvNet) => {
      const out = bodyShapes(shape).map((s) => new Float32Array(s.reduce((a, b) => a * b, 1)));
      taskMetaGradient(net, body, task, { alpha: 0.4, steps: 2 }, 'maml2', out, 1);
      return out;
    };
    const a = run(new ConvNet(shape, tfGemm, simd));
    expect(a).toHaveLength(BODY_PARAMS);
    expect(a.some((g) => g.some((v) => v !== 0))).toBe(true);
    expect(a).toEqual(run(new ConvNet(shape, tfGemm, jsConvPasses)));
  });
});
