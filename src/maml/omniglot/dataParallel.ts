/**
 * Conv MAML over several workers (threads or processes): a meta-batch's tasks are split into
 * contiguous shares, one per worker; each worker computes the meta-gradient of every task of
 * its share on its own (`shareGradients`), and the task gradients are then added in task
 * order with the single-thread sum's own weight and formula (`reduceShares`, convMaml's
 * `addScaled`). So a run's numbers depend on its seed only: N workers give bit for bit the
 * meta-gradient of one (each task's arithmetic is the same wherever it runs).
 */
import type { EpisodeBatch } from './tasks';
import { addScaled, addSums, episodeTask, taskBlockGradient, type ConvInner, type TaskResult, type TaskSums } from './convMaml';
import type { ConvNet } from '../networks/convNet';
import type { ConvAlgorithm } from '../algorithm/algorithm';

/** Tasks [from, to) of a meta-batch. */
export interface Share {
  from: number;
  to: number;
}

/** `tasks` split into at most `workers` contiguous non-empty shares, the larger ones first. */
export function taskShares(tasks: number, workers: number): Share[] {
  const n = Math.max(1, Math.min(tasks, Math.floor(workers)));
  const shares: Share[] = [];
  let from = 0;
  for (let w = 0; w < n; w++) {
    const size = Math.floor(tasks / n) + (w < tasks % n ? 1 : 0);
    shares.push({ from, to: from + size });
    from += size;
  }
  return shares;
}

/** Tasks [from, to) of a batch as a batch of their own (copies, so they can be transferred). */
export function sliceBatch(batch: EpisodeBatch, { from, to }: Share): EpisodeBatch {
  const ns = batch.way * batch.shot;
  const nq = batch.way * batch.queries;
  const P = batch.support.length / (batch.tasks * ns);
  return {
    tasks: to - from,
    way: batch.way,
    shot: batch.shot,
    queries: batch.queries,
    support: batch.support.slice(from * ns * P, to * ns * P),
    supportLabels: batch.supportLabels.slice(from * ns, to * ns),
    query: batch.query.slice(from * nq * P, to * nq * P),
    queryLabels: batch.queryLabels.slice(from * nq, to * nq),
    classes: batch.classes.slice(from, to),
  };
}

/** What a worker sends back for its share: each task's meta-gradient of the blocks, and its numbers. */
export interface ShareGradients {
  grads: Float32Array[][];
  results: TaskResult[];
}

/** The meta-gradient of every task of `batch` (a share, or a whole batch), unweighted. */
export function shareGradients(
  net: ConvNet,
  body: Float32Array[],
  batch: EpisodeBatch,
  inner: ConvInner,
  algorithm: ConvAlgorithm,
): ShareGradients {
  const out: ShareGradients = { grads: [], results: [] };
  for (let t = 0; t < batch.tasks; t++) {
    const { grads, result } = taskBlockGradient(net, body, episodeTask(batch, t), inner, algorithm);
    out.grads.push(grads as Float32Array[]);
    out.results.push(result);
  }
  return out;
}

/** The buffers of a share's gradients, to transfer rather than copy. */
export function shareBuffers(s: ShareGradients): ArrayBuffer[] {
  return s.grads.flat().map((g) => g.buffer as ArrayBuffer);
}

/**
 * The mean meta-gradient of a batch of `tasks` from its shares, in task order, written into
 * `out` (zeroed first); the same sum, term for term, as convMaml's `metaGradient`.
 */
export function reduceShares(shares: ShareGradients[], tasks: number, out: Float32Array[]): TaskSums {
  for (const o of out) o.fill(0);
  let sums: TaskSums = { tasks: 0, preLoss: 0, postLoss: 0, preCorrect: 0, postCorrect: 0, queries: 0 };
  for (const s of shares)
    s.grads.forEach((g, t) => {
      addScaled(out, g, 1 / tasks);
      sums = addSums(sums, { tasks: 1, ...s.results[t] });
    });
  if (sums.tasks !== tasks) throw new Error(`the workers returned ${sums.tasks} of the batch's ${tasks} tasks`);
  return sums;
}
