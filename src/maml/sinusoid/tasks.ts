import { createRng as createRngFor, type Rng } from '../random';

/** The sinusoid task family of the MAML paper (section 5.1). */
export interface SinusoidFamily {
  amplitude: [number, number];
  phase: [number, number];
  x: [number, number];
}

export const PAPER_SINUSOID: SinusoidFamily = {
  amplitude: [0.1, 5],
  phase: [0, Math.PI],
  x: [-5, 5],
};

export interface SinusoidTask {
  amplitude: number;
  phase: number;
}

export function sinusoid(task: SinusoidTask, x: number): number {
  return task.amplitude * Math.sin(x - task.phase);
}

export function sampleSinusoidTask(rng: Rng, family: SinusoidFamily = PAPER_SINUSOID): SinusoidTask {
  return {
    amplitude: rng.uniform(family.amplitude[0], family.amplitude[1]),
    phase: rng.uniform(family.phase[0], family.phase[1]),
  };
}

/**
 * A meta-batch of regression tasks as flat arrays, row-major:
 * support x/y are [T, K, 1], query x/y are [T, Q, 1].
 */
export interface RegressionBatch {
  tasks: number;
  shots: number;
  queries: number;
  xs: Float32Array;
  ys: Float32Array;
  xq: Float32Array;
  yq: Float32Array;
}

export function samplePoints(
  rng: Rng,
  task: SinusoidTask,
  n: number,
  family: SinusoidFamily = PAPER_SINUSOID,
): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = rng.uniform(family.x[0], family.x[1]);
    y[i] = sinusoid(task, x[i]);
  }
  return { x, y };
}

/** Samples T tasks, each with K support and Q query points drawn independently. */
export function sampleSinusoidBatch(
  rng: Rng,
  tasks: number,
  shots: number,
  queries: number = shots,
  family: SinusoidFamily = PAPER_SINUSOID,
): RegressionBatch & { params: SinusoidTask[] } {
  const xs = new Float32Array(tasks * shots);
  const ys = new Float32Array(tasks * shots);
  const xq = new Float32Array(tasks * queries);
  const yq = new Float32Array(tasks * queries);
  const params: SinusoidTask[] = [];
  for (let t = 0; t < tasks; t++) {
    const task = sampleSinusoidTask(rng, family);
    params.push(task);
    const s = samplePoints(rng, task, shots, family);
    const q = samplePoints(rng, task, queries, family);
    xs.set(s.x, t * shots);
    ys.set(s.y, t * shots);
    xq.set(q.x, t * queries);
    yq.set(q.y, t * queries);
  }
  return { tasks, shots, queries, xs, ys, xq, yq, params };
}

/** A task with its support points as plain arrays, as the page and the worker exchange them. */
export interface SinusoidTaskWithSupport extends SinusoidTask {
  supportX: number[];
  supportY: number[];
}

/** The task named (seed, label, index), with `shots` support points: the same everywhere. */
export function namedTask(seed: number, label: string, index: number, shots: number): SinusoidTaskWithSupport {
  const rng = createRngFor(`${seed}/${label}/${index}`);
  const task = sampleSinusoidTask(rng);
  const pts = samplePoints(rng, task, shots);
  return { ...task, supportX: Array.from(pts.x), supportY: Array.from(pts.y) };
}
