/**
 * The sinusoid bench worker: learner throughput on one backend, and the whole lab as the
 * page runs it (createSinusoidLab, driven by its own messages).
 */
import * as tf from '../maml/tf';
import { MetaLearner } from '../maml/algorithm/metaLearner';
import { batchTensors, sinusoidObjective, sizesOf } from '../maml/sinusoid/experiment';
import { FusedMetaLearner } from '../maml/sinusoid/fusedLearner';
import { defaultDenseEngine, fusedKernelLabel } from '../maml/sinusoid/fusedMaml';
import type { SinusoidLearner } from '../maml/sinusoid/session';
import { trajectoryTasks } from '../maml/sinusoid/trajectoryView';
import { initMlpValues } from '../maml/networks/mlp';
import { createRng } from '../maml/random';
import { sampleSinusoidBatch } from '../maml/sinusoid/tasks';
import { activate } from '../worker/backends';
import type { FromWorker } from '../worker/protocol';
import { serveWorker } from '../worker/runtime';
import { createSinusoidLab } from '../worker/sinusoidLab';
import type { FromSinusoidBench, ToSinusoidBench } from './benchProtocol';

const post = (m: FromSinusoidBench) => (self as unknown as Worker).postMessage(m);

async function benchLearner(msg: Extract<ToSinusoidBench, { type: 'bench' }>) {
  const r = await activate(msg.backend);
  if (!r.available) {
    post({ type: 'benchResult', backend: msg.backend, algorithm: msg.algorithm, metaItersPerSec: 0, iterations: 0, note: r.note });
    return;
  }
  const c = msg.config;
  const init = initMlpValues(sizesOf(c.hidden), createRng(c.seed));
  const lc = { algorithm: msg.algorithm, inner: { alpha: c.alpha, steps: c.trainSteps }, metaLr: c.metaLr };
  const fused = msg.engine === 'fused';
  const learner: SinusoidLearner = fused
    ? new FusedMetaLearner(sizesOf(c.hidden), init, lc)
    : new MetaLearner(sinusoidObjective(c.hidden), init, lc, batchTensors);
  const run = async (n: number, from: number) => {
    for (let i = 0; i < n; i++) {
      const { preLoss, postLoss } = learner.step(sampleSinusoidBatch(createRng(`${c.seed}/batch/${from + i}`), c.metaBatch, c.shots));
      // tfjs: one read-back at the end waits for the queued work (GPU backends).
      if (typeof postLoss !== 'number' && i === n - 1) await postLoss.data();
      tf.dispose([preLoss, postLoss].filter((l): l is tf.Scalar => typeof l !== 'number'));
    }
  };
  await run(3, 0);
  const t0 = performance.now();
  await run(msg.iterations, 3);
  const seconds = (performance.now() - t0) / 1000;
  learner.dispose();
  post({
    type: 'benchResult',
    backend: msg.backend,
    engine: fused ? 'fused' : 'tfjs',
    kernel: fused ? defaultDenseEngine().name : undefined,
    algorithm: msg.algorithm,
    metaItersPerSec: msg.iterations / seconds,
    iterations: msg.iterations,
    note: fused ? `fused kernel, ${fusedKernelLabel()}` : r.note,
  });
}

async function benchSession(msg: Extract<ToSinusoidBench, { type: 'benchSession' }>) {
  const engine = msg.engine ?? 'tfjs';
  const r = await activate(msg.backend);
  if (!r.available) {
    post({ type: 'benchSessionResult', backend: msg.backend, engine, views: msg.views, metaItersPerSec: 0, iterations: 0, note: r.note });
    return;
  }
  let iteration = 0;
  let failure = '';
  const lab = createSinusoidLab((m: FromWorker) => {
    if (m.type === 'state') iteration = m.iteration;
    if (m.type === 'error') failure = m.message;
  });
  const task = trajectoryTasks(msg.config.seed, msg.config.shots)[0];
  await lab.handle({
    type: 'init',
    config: msg.config,
    backend: msg.backend,
    engine,
    task,
    autoplay: false,
    compare: [],
    views: msg.views,
  });
  // Warm up (shader compilation, first uploads), then time the real loop.
  for (let i = 0; i < 3; i++) await lab.handle({ type: 'step' });
  const start = iteration;
  const t0 = performance.now();
  await lab.handle({ type: 'play' });
  await new Promise((done) => setTimeout(done, msg.seconds * 1000));
  await lab.handle({ type: 'pause' });
  await lab.stopped();
  if (failure) throw new Error(failure);
  const n = iteration - start;
  const seconds = (performance.now() - t0) / 1000;
  post({
    type: 'benchSessionResult',
    backend: msg.backend,
    engine,
    kernel: engine === 'fused' ? defaultDenseEngine().name : undefined,
    views: msg.views,
    metaItersPerSec: n / seconds,
    iterations: n,
    note: r.note,
  });
}

serveWorker<ToSinusoidBench>({
  handle: (m) => (m.type === 'bench' ? benchLearner(m) : benchSession(m)),
  fail: (e) => post({ type: 'error', message: e.message }),
});
