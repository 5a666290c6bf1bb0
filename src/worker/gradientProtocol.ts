/**
 * The Omniglot lab's gradient workers (gradient.worker.ts): each computes the meta-gradient
 * of every task of its share of a meta-batch (maml/omniglot/dataParallel.ts) and sends the
 * task gradients back; the lab adds them in task order.
 */
import type { ConvAlgorithm } from '../maml/algorithm/algorithm';
import type { ConvInner } from '../maml/omniglot/convMaml';
import type { ShareGradients } from '../maml/omniglot/dataParallel';
import type { EpisodeBatch } from '../maml/omniglot/tasks';

export type ToGradientWorker =
  | { type: 'init' }
  /** The blocks and the share's tasks (copies, transferred); `id` comes back with the answer. */
  | { type: 'grad'; id: number; filters: number; inner: ConvInner; algorithm: ConvAlgorithm; body: Float32Array[]; batch: EpisodeBatch };

export type FromGradientWorker =
  /** Started, on wasm (matrix products through XNNPACK) or, without WebAssembly, plain JavaScript. */
  { type: 'ready'; gemm: string } | ({ type: 'grads'; id: number } & ShareGradients) | { type: 'error'; id?: number; message: string };
