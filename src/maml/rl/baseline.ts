/**
 * Advantages for the policy gradient: discounted returns-to-go minus a linear feature baseline
 * fitted per task by ridge least squares, as in the paper's rllab code (LinearFeatureBaseline):
 * features [o, o^2, t/100, (t/100)^2, (t/100)^3, 1] (o clipped to [-10, 10]), ridge 1e-5 (raised
 * tenfold while the system is singular). Advantages are then normalised per task to mean 0 and
 * standard deviation 1 over the valid steps (rllab's center_adv), which makes the inner step size
 * independent of the reward scale.
 */
import type { Trajectories } from './rollout';

export const DISCOUNT = 0.99;

/** Discounted returns-to-go of every step (0 on padded steps). */
export function returnsToGo(tr: Trajectories, gamma = DISCOUNT): Float64Array {
  const H = tr.horizon;
  const out = new Float64Array(tr.rewards.length);
  for (let k = 0; k < tr.tasks * tr.perTask; k++) {
    let g = 0;
    for (let t = H - 1; t >= 0; t--) {
      const row = k * H + t;
      g = tr.valid[row] ? tr.rewards[row] + gamma * g : 0;
      out[row] = g;
    }
  }
  return out;
}

function features(tr: Trajectories, row: number, t: number, f: Float64Array): void {
  const d = tr.obsDim;
  for (let j = 0; j < d; j++) {
    const o = Math.max(-10, Math.min(10, tr.obs[row * d + j]));
    f[j] = o;
    f[d + j] = o * o;
  }
  const a = t / 100;
  f[2 * d] = a;
  f[2 * d + 1] = a * a;
  f[2 * d + 2] = a * a * a;
  f[2 * d + 3] = 1;
}

/** Solves A x = b for a symmetric positive definite A (Cholesky); null when it is not. */
export function solveSpd(A: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 0)) return null;
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

/** The baseline's prediction for every step of task i's trajectories, fitted on them. */
export function fitBaseline(tr: Trajectories, returns: Float64Array, task: number): Float64Array {
  const H = tr.horizon;
  const nf = 2 * tr.obsDim + 4;
  const XtX = new Float64Array(nf * nf);
  const Xty = new Float64Array(nf);
  const f = new Float64Array(nf);
  const k0 = task * tr.perTask;
  for (let k = k0; k < k0 + tr.perTask; k++) {
    for (let t = 0; t < H; t++) {
      const row = k * H + t;
      if (!tr.valid[row]) continue;
      features(tr, row, t, f);
      for (let a = 0; a < nf; a++) {
        Xty[a] += f[a] * returns[row];
        for (let b = 0; b < nf; b++) XtX[a * nf + b] += f[a] * f[b];
      }
    }
  }
  let beta: Float64Array | null = null;
  for (let reg = 1e-5; beta === null && reg < 1e5; reg *= 10) {
    const A = XtX.slice();
    for (let a = 0; a < nf; a++) A[a * nf + a] += reg;
    beta = solveSpd(A, Xty, nf);
  }
  const out = new Float64Array(tr.perTask * H);
  if (beta === null) return out;
  for (let k = k0; k < k0 + tr.perTask; k++) {
    for (let t = 0; t < H; t++) {
      const row = k * H + t;
      if (!tr.valid[row]) continue;
      features(tr, row, t, f);
      let s = 0;
      for (let a = 0; a < nf; a++) s += beta[a] * f[a];
      out[(k - k0) * H + t] = s;
    }
  }
  return out;
}

/** Normalised advantages for every step of every task (0 on padded steps). */
export function advantages(tr: Trajectories, gamma = DISCOUNT, useBaseline = true): Float64Array {
  const ret = returnsToGo(tr, gamma);
  const out = new Float64Array(ret.length);
  const rows = tr.perTask * tr.horizon;
  for (let i = 0; i < tr.tasks; i++) {
    const b = useBaseline ? fitBaseline(tr, ret, i) : new Float64Array(rows);
    let n = 0,
      mean = 0;
    for (let r = 0; r < rows; r++) {
      const row = i * rows + r;
      if (!tr.valid[row]) continue;
      out[row] = ret[row] - b[r];
      mean += out[row];
      n++;
    }
    mean /= Math.max(n, 1);
    let v = 0;
    for (let r = 0; r < rows; r++) if (tr.valid[i * rows + r]) v += (out[i * rows + r] - mean) ** 2;
    const sd = Math.sqrt(v / Math.max(n, 1)) + 1e-8;
    for (let r = 0; r < rows; r++) {
      const row = i * rows + r;
      out[row] = tr.valid[row] ? (out[row] - mean) / sd : 0;
    }
  }
  return out;
}
