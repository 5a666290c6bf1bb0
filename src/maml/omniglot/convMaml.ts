/**
 * MAML on Omniglot episodes with the hand-derived conv net (convNet.ts). Each task of a
 * meta-batch starts from the meta-learned blocks and a zero head (so one network serves
 * any number of classes, 2 to 20), takes `steps` gradient steps on its support set, and
 * is scored on its query set. The meta-gradient (algorithm/maml.ts over `convTask`) is
 *   second order:  (I - a H_0) ... (I - a H_{k-1}) grad L_query(theta_k)
 *   first order:   grad L_query(theta_k)
 *   Reptile:       theta_0 - theta_k
 * restricted to the blocks, averaged over tasks. With a zero head the first step moves
 * only the head (the blocks' gradient passes through it), to a multiple of the
 * centred class means of the support features: a prototype classifier whose features
 * the meta-gradient shapes through that dependency.
 */
import { type EpisodeBatch } from './tasks';
import { BODY_PARAMS, ConvNet, crossEntropyLogitGradient, headShapes, type BackwardResult, type ForwardCache } from '../networks/convNet';
import type { Vec } from '../networks/gemm';
import type { ConvAlgorithm } from '../algorithm/algorithm';
import { arrayAlgebra, mamlGradient, sgdStep, type MamlTask } from '../algorithm/maml';
import { wasmScope } from '../networks/wasmInstance';

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

/**
 * One episode as MAML sees it (algorithm/maml.ts): the support set's cross-entropy, stepped on
 * and differentiated twice (`net.hvp` on the pass kept at each step), the query set's once.
 */
export function convTask(net: ConvNet, task: EpisodeTask): MamlTask<Vec[], { loss: number; correct: number }> {
  const ns = task.ys.length;
  const nq = task.yq.length;
  const steps: { params: Vec[]; cache: ForwardCache; back: BackwardResult }[] = [];
  return {
    innerStep(s, params, alpha) {
      const cache = net.forward(params, task.xs, ns, task.way);
      const back = net.backward(params, cache, task.ys, task.ws);
      steps[s] = { params, cache, back };
      return sgdStep(params, back.grads, alpha);
    },
    hvp: (s, v) => net.hvp(steps[s].params, steps[s].cache, steps[s].back, v),
    query(params) {
      const q = net.backward(params, net.forward(params, task.xq, nq, task.way), task.yq);
      return { grads: q.grads, result: { loss: q.loss, correct: q.correct } };
    },
  };
}

/** The inner loop from `init`: the adapted parameters. */
export function adapt(net: ConvNet, init: Vec[], task: EpisodeTask, inner: ConvInner): Vec[] {
  const t = convTask(net, task);
  let params = init;
  for (let s = 0; s < inner.steps; s++) params = t.innerStep(s, params, inner.alpha);
  return params;
}

export interface TaskResult {
  preLoss: number;
  preCorrect: number;
  postLoss: number;
  postCorrect: number;
  queries: number;
}

/**
 * The meta-gradient of one task with respect to the blocks (unweighted) and its numbers.
 * Pre-adaptation numbers come from the query set at theta. The kernels' arrays stay in the
 * SIMD modules' memory for the task, and the gradients are copied out at the end (wasmScope).
 */
export function taskBlockGradient(
  net: ConvNet,
  body: Vec[],
  task: EpisodeTask,
  inner: ConvInner,
  algorithm: ConvAlgorithm,
): { grads: Vec[]; result: TaskResult } {
  return wasmScope(() =>
    oneStepFromZeroHead(inner, algorithm)
      ? zeroHeadStepGradient(net, body, task, inner.alpha, algorithm === 'maml2')
      : generalBlockGradient(net, body, task, inner, algorithm),
  );
}

/** Whether the settings are one inner step of second- or first-order MAML (from the zero head every task starts at). */
export function oneStepFromZeroHead(inner: ConvInner, algorithm: ConvAlgorithm): boolean {
  return inner.steps === 1 && (algorithm === 'maml2' || algorithm === 'maml1');
}

/** Before adaptation the head is zero, so every logit is 0: loss ln N, accuracy 1/N (ties split evenly), whatever the blocks compute. */
const beforeAdaptation = (task: EpisodeTask) => ({ loss: Math.log(task.way), correct: task.yq.length / task.way });

/**
 * One inner step from the zero head, exactly, without the R-operator pass. At a zero head every
 * logit is 0 whatever the blocks compute, so the support loss's gradient with respect to the
 * blocks is zero, and so is the blocks-blocks part of its Hessian: the step moves only the head,
 * to W1 = -alpha * dls^T Fs (dls: dL_s/dlogits, a constant; Fs: the support features), and the
 * second-order meta-gradient is the query loss's gradient through the query pass plus its
 * pull-back through W1, -alpha * dls (dL_q/dW1), backpropagated through the support pass.
 * First order keeps the query pass alone. About 85% of the general path's time (no R-forward
 * or R-backward, no backward of the support loss through the blocks). The WGSL engine
 * (convMamlGpu.ts) computes the same.
 */
export function zeroHeadStepGradient(
  net: ConvNet,
  body: Vec[],
  task: EpisodeTask,
  alpha: number,
  secondOrder: boolean,
): { grads: Vec[]; result: TaskResult } {
  const N = task.way;
  const ns = task.ys.length;
  const nq = task.yq.length;
  const D = net.features;
  const zero = withZeroHead(net, body, N);
  const cs = net.forward(zero, task.xs, ns, N);
  const Fs = cs.blocks[cs.blocks.length - 1].a;
  const F = Fs.constructor as { new (n: number): Vec };
  const dls = crossEntropyLogitGradient(cs.p, task.ys, ns, N, task.ws, new F(ns * N));
  const b1 = new F(N);
  for (let i = 0; i < dls.length; i++) b1[i % N] += dls[i];
  const W1 = net.gemm.mul(dls, Fs, N, ns, D, true, false);
  for (let i = 0; i < W1.length; i++) W1[i] = -alpha * W1[i];
  for (let n = 0; n < N; n++) b1[n] = -alpha * b1[n];
  const adapted = [...body, W1, b1];
  const q = net.backward(adapted, net.forward(adapted, task.xq, nq, N), task.yq);
  const grads = q.grads.slice(0, BODY_PARAMS);
  if (secondOrder) {
    const dFs = net.gemm.mul(dls, q.grads[BODY_PARAMS], ns, N, D, false, false);
    for (let i = 0; i < dFs.length; i++) dFs[i] = -alpha * dFs[i];
    addScaled(grads, net.backwardBlocks(zero, cs, dFs).grads, 1);
  }
  const pre = beforeAdaptation(task);
  return { grads, result: { preLoss: pre.loss, preCorrect: pre.correct, postLoss: q.loss, postCorrect: q.correct, queries: nq } };
}

/** Any number of inner steps and any algorithm, through algorithm/maml.ts (the R-operator for second order). */
export function generalBlockGradient(
  net: ConvNet,
  body: Vec[],
  task: EpisodeTask,
  inner: ConvInner,
  algorithm: ConvAlgorithm,
): { grads: Vec[]; result: TaskResult } {
  const nq = task.yq.length;
  const pre = beforeAdaptation(task);
  const { grads, query: q } = mamlGradient(convTask(net, task), arrayAlgebra, withZeroHead(net, body, task.way), {
    alpha: inner.alpha,
    steps: inner.steps,
    variant: algorithm,
  });
  return {
    grads: grads.slice(0, BODY_PARAMS),
    result: { preLoss: pre.loss, preCorrect: pre.correct, postLoss: q.loss, postCorrect: q.correct, queries: nq },
  };
}

/** out += scale * g, array by array: the one way task gradients are summed (alone or across workers). */
export function addScaled(out: Vec[], g: ArrayLike<number>[], scale: number) {
  for (let i = 0; i < out.length; i++) {
    const o = out[i];
    const gi = g[i];
    for (let k = 0; k < o.length; k++) o[k] += scale * gi[k];
  }
}

/** The meta-gradient of one task, added into `out` (one array per block parameter) with weight `scale`. */
export function taskMetaGradient(
  net: ConvNet,
  body: Vec[],
  task: EpisodeTask,
  inner: ConvInner,
  algorithm: ConvAlgorithm,
  out: Vec[],
  scale: number,
): TaskResult {
  const { grads, result } = taskBlockGradient(net, body, task, inner, algorithm);
  addScaled(out, grads, scale);
  return result;
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
