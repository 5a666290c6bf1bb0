/**
 * The Omniglot lab's gradient workers as one pool: started with the lab, each answers the
 * meta-gradients of its share of a meta-batch (gradientProtocol.ts). The lab's own thread
 * computes the first share, so a pool of `size` runs on `size` cores with `size - 1` workers.
 */
import type { OmniglotConfig } from '../maml/omniglot/config';
import { sliceBatch, type Share, type ShareGradients } from '../maml/omniglot/dataParallel';
import type { EpisodeBatch } from '../maml/omniglot/tasks';
import type { FromGradientWorker, ToGradientWorker } from './gradientProtocol';
export { MAX_WORKERS } from './omniglotProtocol';

/** Workers the lab uses unless asked (`?workers=N`): the cores but one (left to the page), at most 8. */
export function defaultWorkers(cores: number | undefined): number {
  return Math.max(1, Math.min(8, (cores ?? 2) - 1));
}

export interface GradientPool {
  /** Threads computing each meta-batch, the lab's own included. */
  readonly size: number;
  /** Sends share `share` of `batch` to helper `helper`; resolves once sent, with the answer to come. */
  request(
    helper: number,
    share: Share,
    body: Float32Array[],
    batch: EpisodeBatch,
    config: OmniglotConfig,
  ): Promise<{ result: Promise<ShareGradients> }>;
  dispose(): void;
}

interface Helper {
  worker: Worker;
  pending: Map<number, { resolve: (s: ShareGradients) => void; reject: (e: Error) => void }>;
}

/**
 * Starts `wanted - 1` gradient workers and waits (up to `timeoutMs`) for each to be ready with
 * the same matrix products as the lab (`gemm`), so every task's arithmetic is the same on any
 * thread. Those that fail are dropped, and `note` says so.
 */
export async function startGradientPool(
  wanted: number,
  spawn: () => Worker,
  gemm: string,
  timeoutMs = 30_000,
): Promise<{ pool: GradientPool; note: string }> {
  const started = await Promise.all(
    Array.from({ length: Math.max(0, wanted - 1) }, () => startHelper(spawn, gemm, timeoutMs).catch((e: Error) => e)),
  );
  const helpers = started.filter((h): h is Helper => !(h instanceof Error));
  const failures = started.filter((h): h is Error => h instanceof Error);
  let nextId = 0;
  const pool: GradientPool = {
    size: helpers.length + 1,
    async request(i, share, body, batch, config) {
      const h = helpers[i];
      const id = nextId++;
      const part = sliceBatch(batch, share);
      const result = new Promise<ShareGradients>((resolve, reject) => h.pending.set(id, { resolve, reject }));
      const msg: ToGradientWorker = {
        type: 'grad',
        id,
        filters: config.filters,
        inner: { alpha: config.alpha, steps: config.trainSteps },
        algorithm: config.algorithm,
        body,
        batch: part,
      };
      h.worker.postMessage(msg, [part.support.buffer, part.supportLabels.buffer, part.query.buffer, part.queryLabels.buffer]);
      return { result };
    },
    dispose() {
      for (const h of helpers) {
        h.worker.terminate();
        for (const p of h.pending.values()) p.reject(new Error('the gradient workers were stopped'));
        h.pending.clear();
      }
      helpers.length = 0;
    },
  };
  const note = failures.length ? `${failures.length} of ${wanted - 1} gradient workers did not start (${failures[0].message})` : '';
  return { pool, note };
}

function startHelper(spawn: () => Worker, gemm: string, timeoutMs: number): Promise<Helper> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = spawn();
    } catch (e) {
      reject(e as Error);
      return;
    }
    const helper: Helper = { worker, pending: new Map() };
    const fail = (why: string) => {
      for (const p of helper.pending.values()) p.reject(new Error(`a gradient worker failed: ${why}`));
      helper.pending.clear();
    };
    const timer = setTimeout(() => {
      worker.terminate();
      reject(new Error(`no answer in ${timeoutMs / 1000} s`));
    }, timeoutMs);
    worker.onerror = (e) => {
      e.preventDefault?.();
      clearTimeout(timer);
      reject(new Error(e.message || 'it could not be loaded'));
      fail(e.message || 'an uncaught error');
    };
    worker.onmessage = (e: MessageEvent<FromGradientWorker>) => {
      const m = e.data;
      if (m.type === 'ready') {
        clearTimeout(timer);
        if (m.gemm !== gemm) {
          worker.terminate();
          reject(new Error(`its matrix products are ${m.gemm}, the lab's ${gemm}`));
        } else resolve(helper);
      } else if (m.type === 'grads') {
        helper.pending.get(m.id)?.resolve({ grads: m.grads, results: m.results });
        helper.pending.delete(m.id);
      } else if (m.id !== undefined) {
        helper.pending.get(m.id)?.reject(new Error(`a gradient worker failed: ${m.message}`));
        helper.pending.delete(m.id);
      } else {
        // A failure before it was ready is a failed start; later, it fails what is waiting.
        clearTimeout(timer);
        reject(new Error(m.message));
        fail(m.message);
      }
    };
    worker.postMessage({ type: 'init' } satisfies ToGradientWorker);
  });
}
