/**
 * MAML on Omniglot episodes with the hand-derived conv net (convNet.ts). Each task of a
 * meta-batch starts from the meta-learned blocks and a zero head (so one network serves
 * any number of classes, 2 to 20), takes `steps` gradient steps on its support set, and
 * is scored on its query set. The meta-gradient is
 *   second order:  (I - a H_0) ... (I - a H_{k-1}) grad L_query(theta_k)
 *   first order:   grad L_query(theta_k)
 *   Reptile:       theta_0 - theta_k
 * restricted to the blocks, averaged over tasks. With a zero head the first step moves
 * only the head (the blocks' gradient passes through it), to a multiple of the
 * centred class means of the support features: a prototype classifier whose features
 * the meta-gradient shapes through that dependency.
 */
import { type EpisodeBatch } from './tasks';
import { BODY_PARAMS, ConvNet, headShapes, type BackwardResult, type ForwardCache } from '../networks/convNet';
import type { Vec } from '../networks/gemm';
import type { ConvAlgorithm } from '../algorithm/algorithm';
import { axpyInPlace, pullBack } from '../algorithm/pullBack';

export interface ConvInner {
  alpha: number;
  steps: number;
}

/** One episode's data: support [way*shot, pixels], query [way*queries, pixels]. */
export interface EpisodeTask {
  way: number;
  /** Optional weight of each support example in the inner loss (mean 1). */
  ws?: ArrayLike<number>;
  xs: Vec;
  ys: Int32Array;
  xq: Vec;
  yq: Int32Array;
}

export function episodeTask(batch: EpisodeBatch, t: number): EpisodeTask {
  const P = batch.support.length / (batch.tasks * batch.way * batch.shot);
  const ns = batch.way * batch.shot;
  const nq = batch.way * batch.queries;
  return {
    way: batch.way,
    xs: batch.support.subarray(t * ns * P, (t + 1) * ns * P),
    ys: batch.supportLabels.subarray(t * ns, (t + 1) * ns),
    xq: batch.query.subarray(t * nq * P, (t + 1) * nq * P),
    yq: batch.queryLabels.subarray(t * nq, (t + 1) * nq),
  };
}

/** The blocks plus a zero head of `way` outputs, in the array type of the blocks. */
export function withZeroHead(net: ConvNet, body: Vec[], way: number): Vec[] {
  const F = body[0].constructor as { new (n: number): Vec };
  return [...body, ...headShapes(net.shape, way).map((s) => new F(s.reduce((a, b) => a * b, 1)))];
}

function sgdStep(params: Vec[], grads: Vec[], alpha: number): Vec[] {
  return params.map((p, i) => {
    const q = p.slice();
    const g = grads[i];
    for (let j = 0; j < q.length; j++) q[j] -= alpha * g[j];
    return q;
  });
}

export interface StepRecord {
  params: Vec[];
  cache: ForwardCache;
  back: BackwardResult;
}

/** The inner loop: params after each step, and the support pass taken at each. */
export function adapt(net: ConvNet, init: Vec[], task: EpisodeTask, inner: ConvInner): { steps: StepRecord[]; final: Vec[] } {
  const ns = task.ys.length;
  const steps: StepRecord[] = [];
  let params = init;
  for (let j = 0; j < inner.steps; j++) {
    const cache = net.forward(params, task.xs, ns, task.way);
    const back = net.backward(params, cache, task.ys, task.ws);
    steps.push({ params, cache, back });
    params = sgdStep(params, back.grads, inner.alpha);
  }
  return { steps, final: params };
}

export interface TaskResult {
  preLoss: number;
  preCorrect: number;
  postLoss: number;
  postCorrect: number;
  queries: number;
}

/**
 * The meta-gradient of one task, added into `out` (one array per block parameter) with
 * weight `scale`. Pre-adaptation numbers come from the query set at theta.
 */
export function taskMetaGradient(
  net: ConvNet,
  body: Vec[],
  task: EpisodeTask,
  inner: ConvInner,
  algorithm: ConvAlgorithm,
  out: Vec[],
  scale: number,
): TaskResult {
  const nq = task.yq.length;
  const init = withZeroHead(net, body, task.way);
  // Before adaptation the head is zero, so every logit is 0: loss ln N, accuracy 1/N (ties
  // split evenly), whatever the blocks compute; no forward pass is needed to know it.
  const pre = { loss: Math.log(task.way), correct: nq / task.way };
  const { steps, final } = adapt(net, init, task, inner);
  const qCache = net.forward(final, task.xq, nq, task.way);
  const q = net.backward(final, qCache, task.yq);
  let g: Vec[];
  if (algorithm === 'reptile') {
    g = init.map((p, i) => {
      const d = p.slice();
      for (let j = 0; j < d.length; j++) d[j] -= final[i][j];
      return d;
    });
  } else {
    g = q.grads;
    if (algorithm === 'maml2') {
      const hvAt = (j: number, v: Vec[]) => net.hvp(steps[j].params, steps[j].cache, steps[j].back, v);
      g = pullBack(
        g.map((v) => v.slice()),
        steps.length,
        inner.alpha,
        hvAt,
        axpyInPlace,
      );
    }
  }
  for (let i = 0; i < BODY_PARAMS; i++) {
    const o = out[i];
    const gi = g[i];
    for (let k = 0; k < o.length; k++) o[k] += scale * gi[k];
  }
  return { preLoss: pre.loss, preCorrect: pre.correct, postLoss: q.loss, postCorrect: q.correct, queries: nq };
}

export interface MetaBatchResult {
  preLoss: number;
  postLoss: number;
  preAccuracy: number;
  postAccuracy: number;
}

/** Sums over some tasks of a batch, to be combined across workers. */
export interface TaskSums {
  tasks: number;
  preLoss: number;
  postLoss: number;
  preCorrect: number;
  postCorrect: number;
  queries: number;
}

/**
 * Adds the meta-gradients of tasks [from, to) of the batch into `out`, each weighted
 * 1/batch.tasks (so the whole batch, split over workers and summed, gives the mean).
 */
export function metaGradientRange(
  net: ConvNet,
  body: Vec[],
  batch: EpisodeBatch,
  inner: ConvInner,
  algorithm: ConvAlgorithm,
  out: Vec[],
  from: number,
  to: number,
): TaskSums {
  let sums: TaskSums = { tasks: 0, preLoss: 0, postLoss: 0, preCorrect: 0, postCorrect: 0, queries: 0 };
  for (let t = from; t < to; t++) {
    const r = taskMetaGradient(net, body, episodeTask(batch, t), inner, algorithm, out, 1 / batch.tasks);
    sums = addSums(sums, { tasks: 1, ...r });
  }
  return sums;
}

export function addSums(a: TaskSums, b: TaskSums): TaskSums {
  return {
    tasks: a.tasks + b.tasks,
    preLoss: a.preLoss + b.preLoss,
    postLoss: a.postLoss + b.postLoss,
    preCorrect: a.preCorrect + b.preCorrect,
    postCorrect: a.postCorrect + b.postCorrect,
    queries: a.queries + b.queries,
  };
}

export function batchResult(s: TaskSums): MetaBatchResult {
  return {
    preLoss: s.preLoss / s.tasks,
    postLoss: s.postLoss / s.tasks,
    preAccuracy: s.preCorrect / s.queries,
    postAccuracy: s.postCorrect / s.queries,
  };
}

/** The mean meta-gradient over the batch's tasks, written into `out`. */
export function metaGradient(
  net: ConvNet,
  body: Vec[],
  batch: EpisodeBatch,
  inner: ConvInner,
  algorithm: ConvAlgorithm,
  out: Vec[],
): MetaBatchResult {
  for (const o of out) o.fill(0);
  return batchResult(metaGradientRange(net, body, batch, inner, algorithm, out, 0, batch.tasks));
}

/** Query predictions after each inner step 0..steps (probabilities [queries, way]), for evaluation and the episode view. */
export interface AdaptationTrace {
  probs: Float32Array[];
  loss: number[];
  accuracy: number[];
  supportLoss: number[];
}

export function adaptationTrace(net: ConvNet, body: Vec[], task: EpisodeTask, inner: ConvInner): AdaptationTrace {
  const nq = task.yq.length;
  const ns = task.ys.length;
  const trace: AdaptationTrace = { probs: [], loss: [], accuracy: [], supportLoss: [] };
  let params = withZeroHead(net, body, task.way);
  for (let j = 0; j <= inner.steps; j++) {
    const q = net.forward(params, task.xq, nq, task.way);
    const qb = net.backward(params, q, task.yq);
    trace.probs.push(Float32Array.from(q.p));
    trace.loss.push(qb.loss);
    trace.accuracy.push(qb.correct / nq);
    const s = net.forward(params, task.xs, ns, task.way);
    const sb = net.backward(params, s, task.ys, task.ws);
    trace.supportLoss.push(sb.loss);
    if (j < inner.steps) params = sgdStep(params, sb.grads, inner.alpha);
  }
  return trace;
}
