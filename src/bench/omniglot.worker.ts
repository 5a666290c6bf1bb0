/**
 * The Omniglot bench worker: fresh meta-iterations of the conv-4 network (5-way 1-shot,
 * meta-batch 32 by default) on the fused wasm kernel, the WGSL kernels (WebGPU) or the batched
 * tensor kernel (WebGPU, WebGL), and evaluation episodes on the fused kernel; and the WGSL
 * kernels' check against the float64 kernel.
 */
import * as tf from '../maml/tf';
import { IncrementalEvaluation } from '../maml/omniglot/experiment';
import { innerFor, DEFAULT_OMNIGLOT_CONFIG, EVALUATION_QUERIES } from '../maml/omniglot/config';
import { ConvMetaLearner, convShape } from '../maml/omniglot/convLearner';
import { ConvMamlGpu, GpuMetaGradient } from '../maml/omniglot/convMamlGpu';
import { checkAgainstFloat64 } from '../maml/testing/float64Conv';
import { randomEpisodes } from '../maml/testing/randomEpisodes';
import { createRng } from '../maml/random';
import { initBody } from '../maml/networks/convNet';
import { jsGemm, type Gemm } from '../maml/networks/gemm';
import { defaultGemm } from '../maml/networks/gemmSimd';
import type { OmniglotDataset } from '../maml/omniglot/pack';
import { trainingBatch } from '../maml/omniglot/tasks';
import { TrainingBatches } from '../maml/omniglot/trainingBatches';
import { loadDataset } from '../worker/assets';
import { activate, webgpuDevice } from '../worker/backends';
import { serveWorker } from '../worker/runtime';
import type { FromOmniglotBench, ToOmniglotBench, ToOmniglotCheck } from './benchProtocol';
import { startGradientPool, type GradientPool } from '../worker/gradientPool';
import { dispatchCount } from '../worker/dispatchCounter';

const post = (m: FromOmniglotBench) => (self as unknown as Worker).postMessage(m);
let setup: Promise<{ ds: OmniglotDataset; gemm: Gemm }> | null = null;

async function prepare(baseUrl: string) {
  const wasm = await activate('wasm');
  if (!wasm.available) await activate('cpu');
  return { ds: await loadDataset(baseUrl), gemm: wasm.available ? defaultGemm() : jsGemm };
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
  const inner = { alpha: config.alpha, steps: config.trainSteps };
  const onGpu = msg.engine === 'webgpu' || msg.engine === 'webgpu-tensors' || msg.engine === 'webgl';
  let net: GpuMetaGradient | null = null;
  if (onGpu) {
    const name = msg.engine === 'webgl' ? 'webgl' : 'webgpu';
    const r = await activate(name);
    if (!r.available) throw new Error(`${name}: ${r.note}`);
    net = new GpuMetaGradient(convShape(msg.filters), msg.engine === 'webgpu' ? (webgpuDevice() as unknown as GPUDevice) : null);
  }
  // The lab's gradient workers, for the fused kernel on several threads.
  let pool: GradientPool | null = null;
  if (!onGpu && (msg.workers ?? 1) > 1) {
    const spawn = () => new Worker(new URL('../worker/gradient.worker.ts', import.meta.url), { type: 'module' });
    const started = await startGradientPool(msg.workers!, spawn, gemm.name);
    if (started.note) throw new Error(started.note);
    pool = started.pool;
  }
  // As the lab does: with a pool, the next batch is drawn while the workers finish.
  const batches = new TrainingBatches(ds);
  const step = (i: number) => {
    const batch = batches.at(config, i);
    if (net) return l.stepWith((body) => net!.metaGradient(body, batch, inner, config.algorithm));
    if (pool)
      return l.stepParallel(
        batch,
        pool.size,
        (share, body, h) => pool!.request(h, share, body, batch, config),
        () => batches.drawAhead(config, i + 1),
      );
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
  if (tf.getBackend() !== 'wasm' && gemm !== jsGemm) await tf.setBackend('wasm');
  const t1 = performance.now();
  const ev = new IncrementalEvaluation(l.net, l.body, ds, [
    { way: 5, shot: 1, queries: EVALUATION_QUERIES, episodes: 20, inner: innerFor(config, 5), seed: 1 },
  ]);
  while (!ev.finished) ev.advance(1000);
  const evalImagesPerSec = (20 * 5 * (1 + EVALUATION_QUERIES)) / ((performance.now() - t1) / 1000);
  const kernel = net?.kernel(inner, config.algorithm);
  const backend = onGpu
    ? `${msg.engine === 'webgl' ? 'webgl' : 'webgpu'}-${kernel?.includes('WGSL') ? 'wgsl' : 'tensors'}`
    : `${gemm === jsGemm ? 'js' : gemm.name.startsWith('wasm-') ? 'simd' : 'wasm'}-fused`;
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
    ...(msg.engine?.startsWith('webgpu') && { dispatches }),
  });
}

/**
 * The WGSL engine against the float64 kernel on this device: random episodes (3 tasks of
 * 4-way 2-shot, 4 filters) at second and first order, and a real 5-way 1-shot batch of 4 tasks
 * (8 filters), where blank regions of the drawings give ReLU inputs near zero.
 */
async function checkWgsl(msg: ToOmniglotCheck) {
  setup ??= prepare(msg.baseUrl);
  const { ds } = await setup;
  const r = await activate('webgpu');
  if (!r.available) throw new Error(`webgpu: ${r.note}`);
  const device = webgpuDevice() as unknown as GPUDevice;
  const inner = { alpha: 0.4, steps: 1 };
  const cases = [
    { name: 'maml2, random episodes, 4 filters', filters: 4, algorithm: 'maml2' as const, batch: randomEpisodes('wgsl', 3, 4, 2, 2) },
    { name: 'maml1, random episodes, 4 filters', filters: 4, algorithm: 'maml1' as const, batch: randomEpisodes('wgsl', 3, 4, 2, 2) },
    {
      name: 'maml2, Omniglot 5-way 1-shot, 8 filters',
      filters: 8,
      algorithm: 'maml2' as const,
      batch: trainingBatch(ds, { way: 5, shot: 1, queries: 2, rotations: true }, 4, 1, 3),
    },
  ];
  const out = [];
  for (const c of cases) {
    const shape = convShape(c.filters);
    const rng = createRng(`wgsl/${c.filters}`);
    const body = initBody(shape, () => rng.next());
    const engine = new ConvMamlGpu(device, shape);
    const d0 = dispatchCount();
    const check = await checkAgainstFloat64(
      (b, batch) => engine.metaGradient(b, batch, inner, c.algorithm),
      shape,
      body,
      c.batch,
      inner,
      c.algorithm,
    );
    out.push({ name: c.name, dispatches: dispatchCount() - d0, ...check });
    engine.dispose();
  }
  await activate('wasm');
  post({ type: 'checkResult', cases: out });
}

serveWorker<ToOmniglotBench | ToOmniglotCheck>({
  handle: (m) => (m.type === 'checkWgsl' ? checkWgsl(m) : bench(m)),
  fail: (e) => post({ type: 'error', message: e.message }),
});
