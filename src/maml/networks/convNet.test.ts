import { describe, expect, it } from 'vitest';
import { createRng } from '../random';
import { BODY_PARAMS, BLOCKS, ConvNet, PARAMS_PER_BLOCK, bodyShapes, headShapes, type ConvNetShape } from './convNet';
import {
  adapt,
  adaptationTrace,
  generalBlockGradient,
  taskMetaGradient,
  withZeroHead,
  zeroHeadStepGradient,
  type EpisodeTask,
} from '../omniglot/convMaml';
import { jsGemm, tfGemm, type Gemm, type Vec } from './gemm';
import { defaultGemm } from './gemmSimd';

/**
 * Finite-difference checks of the hand-derived conv net in float64: the gradient (conv
 * filter and input gradients, batch norm, ReLU, log-sum-exp cross-entropy, the head),
 * the Hessian-vector product (the R-operator of every one of those), and the MAML
 * meta-gradient through one and two inner steps. Directions are restricted to one
 * parameter group at a time, so a wrong term in any op shows up by name.
 */
const shape: ConvNetShape = { filters: 3, channels: 1, imageSize: 28 };
const way = 3;
const B = 4;
const net64 = new ConvNet(shape, jsGemm);

function randomParams(seed: string, headScale = 0.5): Float64Array[] {
  const rng = createRng(seed);
  const shapes = [...bodyShapes(shape), ...headShapes(shape, way)];
  return shapes.map((s, i) => {
    const n = s.reduce((a, b) => a * b, 1);
    const isGamma = i < BODY_PARAMS && i % PARAMS_PER_BLOCK === 1;
    const scale = i >= BODY_PARAMS ? headScale : i % PARAMS_PER_BLOCK === 0 ? 0.6 : 0.3;
    return Float64Array.from({ length: n }, () => (isGamma ? 1 : 0) + scale * rng.normal());
  });
}

function randomImages(seed: string, n: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n * 28 * 28 }, () => (rng.next() < 0.2 ? rng.next() : 0));
}

const x = randomImages('x', B);
const labels = Int32Array.from([0, 1, 2, 1]);

function loss(p: Vec[]): number {
  return net64.backward(p, net64.forward(p, x, B, way), labels).loss;
}

function axpy(p: Vec[], v: Vec[], e: number): Float64Array[] {
  return p.map((a, i) => Float64Array.from(a, (val, j) => val + e * v[i][j]));
}

function dot(a: Vec[], b: Vec[]): number {
  let s = 0;
  a.forEach((ai, i) => ai.forEach((v, j) => (s += v * b[i][j])));
  return s;
}

/** A random direction on the named parameter groups only. */
function direction(seed: string, groups: number[]): Float64Array[] {
  const rng = createRng(seed);
  const p = randomParams('shape');
  return p.map((a, i) => Float64Array.from(a, () => (groups.includes(i) ? rng.normal() : 0)));
}

const GROUPS: [string, number[]][] = [
  ...Array.from({ length: BLOCKS }, (_, l): [string, number[]][] => [
    [`block ${l + 1} conv filter`, [l * PARAMS_PER_BLOCK]],
    [`block ${l + 1} batch-norm gamma`, [l * PARAMS_PER_BLOCK + 1]],
    [`block ${l + 1} batch-norm beta`, [l * PARAMS_PER_BLOCK + 2]],
  ]).flat(),
  ['head weights (log-sum-exp)', [BODY_PARAMS]],
  ['head bias', [BODY_PARAMS + 1]],
  ['all parameters', Array.from({ length: BODY_PARAMS + 2 }, (_, i) => i)],
];

function relErr(a: number, b: number) {
  return Math.abs(a - b) / Math.max(1e-8, Math.abs(a) + Math.abs(b));
}

describe('conv net, float64 against central differences', () => {
  const p = randomParams('params');
  const cache = net64.forward(p, x, B, way);
  const back = net64.backward(p, cache, labels);
  const eps = 1e-5;

  it.each(GROUPS)('gradient along %s', (_, groups) => {
    const v = direction(`v/${groups.join()}`, groups);
    const fd = (loss(axpy(p, v, eps)) - loss(axpy(p, v, -eps))) / (2 * eps);
    expect(relErr(dot(back.grads, v), fd)).toBeLessThan(1e-6);
  });

  it.each(GROUPS)('Hessian-vector product along %s', (_, groups) => {
    const v = direction(`h/${groups.join()}`, groups);
    const hv = net64.hvp(p, cache, back, v);
    // Central difference of the gradient along v, tested against every parameter group.
    const gp = net64.backward(axpy(p, v, eps), net64.forward(axpy(p, v, eps), x, B, way), labels).grads;
    const gm = net64.backward(axpy(p, v, -eps), net64.forward(axpy(p, v, -eps), x, B, way), labels).grads;
    const w = direction('probe', GROUPS[GROUPS.length - 1][1]);
    const fd = (dot(gp, w) - dot(gm, w)) / (2 * eps);
    expect(relErr(dot(hv, w), fd)).toBeLessThan(1e-6);
    // Symmetry of the Hessian: w.Hv = v.Hw.
    const hw = net64.hvp(p, cache, back, w);
    expect(relErr(dot(hv, w), dot(hw, v))).toBeLessThan(1e-9);
  });
});

describe('MAML meta-gradient through the conv net, float64', () => {
  const xs = randomImages('xs', way);
  const xq = randomImages('xq', 2 * way);
  const task: EpisodeTask = { way, xs, ys: Int32Array.from([0, 1, 2]), xq, yq: Int32Array.from([0, 1, 2, 2, 1, 0]) };
  const body = randomParams('body').slice(0, BODY_PARAMS);

  function metaObjective(b: Vec[], alpha: number, steps: number): number {
    const final = adapt(net64, withZeroHead(net64, b, way), task, { alpha, steps });
    return net64.backward(final, net64.forward(final, xq, 2 * way, way), task.yq).loss;
  }

  it.each([
    [1, 0.4],
    [2, 0.2],
    [3, 0.1],
  ])('second order, %i steps (alpha %f), matches finite differences; first order does not', (steps, alpha) => {
    const g2 = body.map((a) => new Float64Array(a.length));
    const g1 = body.map((a) => new Float64Array(a.length));
    taskMetaGradient(net64, body, task, { alpha, steps }, 'maml2', g2, 1);
    taskMetaGradient(net64, body, task, { alpha, steps }, 'maml1', g1, 1);
    const v = direction(
      `m/${steps}`,
      Array.from({ length: BODY_PARAMS }, (_, i) => i),
    ).slice(0, BODY_PARAMS);
    const eps = 1e-5;
    const fd = (metaObjective(axpy(body, v, eps), alpha, steps) - metaObjective(axpy(body, v, -eps), alpha, steps)) / (2 * eps);
    expect(relErr(dot(g2, v), fd)).toBeLessThan(1e-6);
    expect(relErr(dot(g1, v), fd)).toBeGreaterThan(1e-3);
  });
});

/** A 3-way episode of random images: one support image per class, two queries each. */
const threeWayTask = (support: string, query: string): EpisodeTask => ({
  way,
  xs: randomImages(support, way),
  ys: Int32Array.from([0, 1, 2]),
  xq: randomImages(query, 2 * way),
  yq: Int32Array.from([0, 1, 2, 2, 1, 0]),
});

describe('one inner step from the zero head without the R-operator (zeroHeadStepGradient)', () => {
  it.each(['maml2', 'maml1'] as const)("%s: the general path's meta-gradient and query numbers, in float64", (algorithm) => {
    const task = threeWayTask('zs', 'zq');
    const body = randomParams('zbody').slice(0, BODY_PARAMS);
    const fast = zeroHeadStepGradient(net64, body, task, 0.4, algorithm === 'maml2');
    const general = generalBlockGradient(net64, body, task, { alpha: 0.4, steps: 1 }, algorithm);
    const a = fast.grads.flatMap((g) => [...g]);
    const e = general.grads.flatMap((g) => [...g]);
    expect(a).toHaveLength(e.length);
    expect(Math.sqrt(a.reduce((s, v, i) => s + (v - e[i]) ** 2, 0) / e.reduce((s, v) => s + v * v, 0))).toBeLessThan(1e-12);
    expect(fast.result.postLoss).toBeCloseTo(general.result.postLoss, 12);
    expect(fast.result.postCorrect).toBe(general.result.postCorrect);
  });
});

describe.each([
  ['the tfjs wasm matMul', tfGemm],
  ['the WebAssembly SIMD product', defaultGemm()],
] as [string, Gemm][])('float32 on %s', (_, gemm) => {
  it('gives the float64 meta-gradient to float32 precision', () => {
    const body64 = randomParams('body').slice(0, BODY_PARAMS);
    const body32 = body64.map((a) => Float32Array.from(a));
    const task64 = threeWayTask('xs', 'xq');
    const task32: EpisodeTask = { ...task64, xs: Float32Array.from(task64.xs), xq: Float32Array.from(task64.xq) };
    const net32 = new ConvNet(shape, gemm);
    const g64 = body64.map((a) => new Float64Array(a.length));
    const g32 = body32.map((a) => new Float32Array(a.length));
    taskMetaGradient(net64, body64, task64, { alpha: 0.4, steps: 2 }, 'maml2', g64, 1);
    taskMetaGradient(net32, body32, task32, { alpha: 0.4, steps: 2 }, 'maml2', g32, 1);
    const flat64 = g64.flatMap((a) => [...a]);
    const flat32 = g32.flatMap((a) => [...a]);
    const err = Math.sqrt(flat64.reduce((s, v, i) => s + (v - flat32[i]) ** 2, 0) / flat64.reduce((s, v) => s + v * v, 0));
    expect(err).toBeLessThan(1e-4);
  });
});

describe('adaptation from a given initialisation', () => {
  it('lowers the support loss at every inner step on a well-posed example', () => {
    const task: EpisodeTask = {
      way,
      xs: randomImages('ws', way),
      ys: Int32Array.from([0, 1, 2]),
      xq: randomImages('wq', way),
      yq: Int32Array.from([0, 1, 2]),
    };
    const body = randomParams('init').slice(0, BODY_PARAMS);
    const trace = adaptationTrace(net64, body, task, { alpha: 0.3, steps: 6 });
    expect(trace.supportLoss[0]).toBeCloseTo(Math.log(way), 10); // the zero head
    for (let s = 1; s < trace.supportLoss.length; s++) expect(trace.supportLoss[s]).toBeLessThan(trace.supportLoss[s - 1]);
  });
});
