/**
 * A float64 reference of the sinusoid MAML objective, written out by hand (forward
 * pass and backpropagation of an MLP) with no tfjs, so tests can check tfjs's
 * gradients against central finite differences computed in double precision.
 */
import { initMlpValues, mlpShapes } from '../networks/mlp';
import { createRng } from '../random';
import { sampleSinusoidBatch } from '../sinusoid/tasks';

type P = Float64Array[];

function forward(sizes: number[], p: P, x: ArrayLike<number>) {
  const n = x.length;
  const hs: Float64Array[] = [Float64Array.from(x)];
  const zs: Float64Array[] = [];
  let h = hs[0];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [din, dout] = [sizes[l], sizes[l + 1]];
    const W = p[2 * l];
    const b = p[2 * l + 1];
    const z = new Float64Array(n * dout);
    for (let i = 0; i < n; i++)
      for (let o = 0; o < dout; o++) {
        let s = b[o];
        for (let k = 0; k < din; k++) s += h[i * din + k] * W[k * dout + o];
        z[i * dout + o] = s;
      }
    zs.push(z);
    h = l + 2 < sizes.length ? z.map((v) => (v > 0 ? v : 0)) : z;
    hs.push(h);
  }
  return { hs, zs, out: h };
}

export function mse64(sizes: number[], p: P, x: ArrayLike<number>, y: ArrayLike<number>): number {
  const { out } = forward(sizes, p, x);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (out[i] - y[i]) ** 2;
  return s / y.length;
}

/** Gradient of the mean squared error by backpropagation, in float64. */
export function mseGrad64(sizes: number[], p: P, x: ArrayLike<number>, y: ArrayLike<number>): P {
  const n = x.length;
  const { hs, zs, out } = forward(sizes, p, x);
  const grads: P = mlpShapes(sizes).map((s) => new Float64Array(s.reduce((a, b) => a * b, 1)));
  let dz: Float64Array = out.map((v, i) => (2 * (v - y[i])) / n);
  for (let l = sizes.length - 2; l >= 0; l--) {
    const [din, dout] = [sizes[l], sizes[l + 1]];
    const W = p[2 * l];
    const gW = grads[2 * l];
    const gb = grads[2 * l + 1];
    const h = hs[l];
    for (let i = 0; i < n; i++)
      for (let o = 0; o < dout; o++) {
        const d = dz[i * dout + o];
        gb[o] += d;
        for (let k = 0; k < din; k++) gW[k * dout + o] += h[i * din + k] * d;
      }
    if (l > 0) {
      const dh = new Float64Array(n * din);
      const zPrev = zs[l - 1];
      for (let i = 0; i < n; i++)
        for (let k = 0; k < din; k++) {
          let s = 0;
          for (let o = 0; o < dout; o++) s += dz[i * dout + o] * W[k * dout + o];
          dh[i * din + k] = zPrev[i * din + k] > 0 ? s : 0;
        }
      dz = dh;
    }
  }
  return grads;
}

export interface Task64 {
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  xq: ArrayLike<number>;
  yq: ArrayLike<number>;
}

/** The MAML meta-objective: mean over tasks of the query MSE after `steps` inner steps. */
export function mamlLoss64(sizes: number[], theta: P, tasks: Task64[], alpha: number, steps: number): number {
  let total = 0;
  for (const t of tasks) {
    let p = theta.map((a) => Float64Array.from(a));
    for (let s = 0; s < steps; s++) {
      const g = mseGrad64(sizes, p, t.xs, t.ys);
      p = p.map((a, i) => a.map((v, j) => v - alpha * g[i][j]));
    }
    total += mse64(sizes, p, t.xq, t.yq);
  }
  return total / tasks.length;
}

/** Central finite differences of f at theta, coordinate by coordinate. */
export function finiteDifferences(f: (theta: P) => number, theta: P, eps = 1e-6): P {
  return theta.map((a, i) =>
    a.map((v, j) => {
      const plus = theta.map((b) => Float64Array.from(b));
      const minus = theta.map((b) => Float64Array.from(b));
      plus[i][j] = v + eps;
      minus[i][j] = v - eps;
      return (f(plus) - f(minus)) / (2 * eps);
    }),
  );
}

/** ||a - b|| / ||b|| over all parameters. */
export function relativeError(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  let num = 0;
  let den = 0;
  a.forEach((ai, i) => {
    for (let j = 0; j < ai.length; j++) {
      num += (ai[j] - b[i][j]) ** 2;
      den += b[i][j] ** 2;
    }
  });
  return Math.sqrt(num / den);
}

/** First-order MAML's gradient: the query gradient at the adapted parameters, averaged over tasks. */
export function firstOrderGrad64(sizes: number[], theta: P, tasks: Task64[], alpha: number, steps: number): P {
  const total = theta.map((a) => new Float64Array(a.length));
  for (const t of tasks) {
    let p = theta.map((a) => Float64Array.from(a));
    for (let s = 0; s < steps; s++) {
      const g = mseGrad64(sizes, p, t.xs, t.ys);
      p = p.map((a, i) => a.map((v, j) => v - alpha * g[i][j]));
    }
    const gq = mseGrad64(sizes, p, t.xq, t.yq);
    total.forEach((a, i) => a.forEach((_, j) => (a[j] += gq[i][j] / tasks.length)));
  }
  return total;
}

/** A seeded test fixture: initial parameters, a meta-batch of T tasks with K points, and the same tasks for the float64 reference. */
export function sinusoidFixture(sizes: number[], T: number, K: number, seed: number) {
  const rng = createRng(seed);
  const values = initMlpValues(sizes, rng);
  const batch = sampleSinusoidBatch(rng, T, K);
  const tasks: Task64[] = [];
  for (let t = 0; t < T; t++) {
    const sl = (a: Float32Array) => a.subarray(t * K, (t + 1) * K);
    tasks.push({ xs: sl(batch.xs), ys: sl(batch.ys), xq: sl(batch.xq), yq: sl(batch.yq) });
  }
  return { values, batch, tasks };
}
