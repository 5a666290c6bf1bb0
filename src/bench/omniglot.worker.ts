/**
 * The Omniglot bench worker: fresh meta-iterations of the conv-4 network (5-way 1-shot,
 * meta-batch 32 by default) on the fused wasm kernel or the batched tensor kernel on a
 * GPU backend, and evaluation episodes on the fused kernel.
 */
import * as tf from '../maml/tf';
import { IncrementalEvaluation } from '../maml/omniglot/experiment';
import { innerFor, DEFAULT_OMNIGLOT_CONFIG, EVALUATION_QUERIES } from '../maml/omniglot/config';
import { ConvMetaLearner, convShape } from '../maml/omniglot/convLearner';
import { metaGradientTensors } from '../maml/omniglot/convMamlTensors';
import { ConvNetTensors } from '../maml/networks/convNetTensors';
import { jsGemm, tfGemm, type Gemm } from '../maml/networks/gemm';
import type { OmniglotDataset } from '../maml/omniglot/pack';
import { trainingBatch } from '../maml/omniglot/tasks';
import { loadDataset } from '../worker/assets';
import { activate } from '../worker/backends';
import { serveWorker } from '../worker/runtime';
import type { FromOmniglotBench, ToOmniglotBench } from './benchProtocol';
import { startGradientPool, type GradientPool } from '../worker/gradientPool';
import { dispatchCount } from '../worker/dispatchCounter';

const post = (m: FromOmniglotBench) => (self as unknown as Worker).postMessage(m);
let setup: Promise<{ ds: OmniglotDataset; gemm: Gemm }> | null = null;

async function prepare(baseUrl: string) {
  const wasm = await activate('wasm');
  if (!wasm.available) await activate('cpu');
  return { ds: await loadDataset(baseUrl), gemm: wasm.available ? tfGemm : jsGemm };
}

async function bench(msg: ToOmniglotBench) {
  setup ??= prepare(msg.baseUrl);
  const { ds, gemm } = await setup;
  const config = {
    ...DEFAULT_OMNIGLOT_CONFIG,
    filters: msg.filters,
    algorithm: msg.algorithm,
    metaBatch: msg.tasks ?? DEFAULT_OMNIGLOT_CONFIG.metaBatch,
  };
  const l = new ConvMetaLearner(config, gemm);
  const spec = { way: config.way, shot: config.shot, queries: config.queries, rotations: true };
  const inner = { alpha: config.alpha, steps: config.trainSteps };
  const onGpu = msg.engine === 'webgpu' || msg.engine === 'webgl';
  let net: ConvNetTensors | null = null;
  if (onGpu) {
    const r = await activate(msg.engine as 'webgpu' | 'webgl');
    if (!r.available) throw new Error(`${msg.engine}: ${r.note}`);
    net = new ConvNetTensors(convShape(msg.filters));
  }
  // The lab's gradient workers, for the fused kernel on several threads.
  let pool: GradientPool | null = null;
  if (!onGpu && (msg.workers ?? 1) > 1) {
    const spawn = () => new Worker(new URL('../worker/gradient.worker.ts', import.meta.url), { type: 'module' });
    const started = await startGradientPool(msg.workers!, spawn, gemm.name);
    if (started.note) throw new Error(started.note);
    pool = started.pool;
  }
  const step = (i: number) => {
    const batch = trainingBatch(ds, spec, config.metaBatch, 1, i);
    if (net) return l.stepWith((body) => metaGradientTensors(net!, body, batch, inner, config.algorithm));
    if (pool) return l.stepParallel(batch, pool.size, (share, body, h) => pool!.request(h, share, body, batch, config));
    return Promise.resolve(l.step(batch));
  };
  await step(0); // warm-up (shader compilation)
  const d0 = dispatchCount();
  const t0 = performance.now();
  for (let i = 1; i <= msg.iterations; i++) await step(i);
  const metaItersPerSec = msg.iterations / ((performance.now() - t0) / 1000);
  const dispatches = (dispatchCount() - d0) / msg.iterations;
  net?.dispose();
  pool?.dispose();
  if (tf.getBackend() !== 'wasm' && gemm === tfGemm) await tf.setBackend('wasm');
  const t1 = performance.now();
  const ev = new IncrementalEvaluation(l.net, l.body, ds, [
    { way: 5, shot: 1, queries: EVALUATION_QUERIES, episodes: 20, inner: innerFor(config, 5), seed: 1 },
  ]);
  while (!ev.finished) ev.advance(1000);
  const evalImagesPerSec = (20 * 5 * (1 + EVALUATION_QUERIES)) / ((performance.now() - t1) / 1000);
  const backend = onGpu ? `${msg.engine}-tensors` : `${gemm === tfGemm ? 'wasm' : 'js'}-fused`;
  post({
    type: 'benchResult',
    filters: msg.filters,
    algorithm: msg.algorithm,
    backend,
    metaItersPerSec,
    evalImagesPerSec: onGpu ? NaN : evalImagesPerSec,
    iterations: msg.iterations,
    tasks: config.metaBatch,
    workers: pool?.size ?? 1,
    ...(msg.engine === 'webgpu' && { dispatches }),
  });
}

serveWorker<ToOmniglotBench>({
  handle: bench,
  fail: (e) => post({ type: 'error', message: e.message }),
});
