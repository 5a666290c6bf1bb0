/**
 * Throughput benchmark: sinusoid meta-iterations per second (paper settings: meta-batch 25,
 * K = 10, 1-40-40-1, one inner step) for each algorithm, on each backend available in Node
 * and in headless Chromium's worker.
 *   npm run bench [-- --json] [--env node|browser|all] [--iterations 200] [--algorithms maml2,maml1]
 *                 [--experiments sinusoid,omniglot] [--omniglot-iterations 3] [--threads 1,2]
 * Omniglot: 5-way 1-shot meta-iterations per second (meta-batch 32) with 32 and 64 filters,
 * second and first order, on 1 and 2 threads (`workers`: each meta-batch split over helper
 * processes in Node, over gradient workers in the browser), and evaluation images per second.
 * RL (--experiments rl): MAML-RL and pretrained meta-iterations per second on 2-D navigation
 * (meta-batch --rl-tasks, 20 trajectories of 100 steps per task before and after the inner step,
 * 2 epochs), the matrix products on tfjs-wasm or in plain JavaScript; no tensors are kept
 * between iterations (the kernel is plain arrays), so the heap change is reported.
 * With --json, one object per line: {"experiment","algorithm","env","backend","metaItersPerSec",...}.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '../src/maml/tf';
import { PAPER_SINUSOID_CONFIG as cfg, batchTensors, sinusoidObjective, sizesOf } from '../src/maml/sinusoid/experiment';
import { MetaLearner } from '../src/maml/algorithm/metaLearner';
import { initMlpValues } from '../src/maml/networks/mlp';
import { createRng } from '../src/maml/random';
import { sampleSinusoidBatch } from '../src/maml/sinusoid/tasks';
import type { Algorithm } from '../src/maml/algorithm/algorithm';
import { NODE_BACKENDS, useBackend } from './node-backend';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config';
import { FUSED_ALGORITHMS, FusedMetaLearner } from '../src/maml/sinusoid/fusedLearner';
import { jsEngine } from '../src/maml/sinusoid/denseKernels';
import { simdEngine } from '../src/maml/sinusoid/denseSimd';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    env: { type: 'string', default: 'all' },
    iterations: { type: 'string', default: '200' },
    algorithms: { type: 'string', default: 'maml2,maml1' },
    'browser-backends': { type: 'string', default: 'webgpu,webgl,wasm' },
    'view-seconds': { type: 'string', default: '8' },
    experiments: { type: 'string', default: 'sinusoid,omniglot,rl' },
    'omniglot-iterations': { type: 'string', default: '3' },
    threads: { type: 'string', default: '1,2' },
    'omniglot-engines': { type: 'string', default: 'fused,webgpu,webgl' },
    'gpu-tasks': { type: 'string', default: '4' },
    'rl-tasks': { type: 'string', default: '10' },
    'rl-iterations': { type: 'string', default: '2' },
  },
});
const iterations = Number(args.iterations);
const algorithms = args.algorithms!.split(',') as Algorithm[];

interface Row {
  experiment: 'sinusoid' | 'omniglot' | 'rl';
  tasks?: number;
  /** Threads each meta-batch is split over (Omniglot). */
  workers?: number;
  /** WebGPU compute dispatches per meta-iteration, as issued. */
  dispatches?: number;
  filters?: number;
  /** Where the conv kernel's batch norm and im2col passes ran (Omniglot, Node): wasm-simd or js. */
  passes?: string;
  /** Where its matrix products ran (Omniglot, Node): wasm-simd (the project's), tfjs (XNNPACK) or js. */
  products?: string;
  evalImagesPerSec?: number;
  algorithm: Algorithm | string;
  env: 'node' | 'browser';
  backend: string;
  metaItersPerSec: number;
  iterations: number;
  note?: string;
  numTensors?: number;
  views?: 'on' | 'off';
}
const report = (r: Row) =>
  console.log(
    args.json
      ? JSON.stringify(r)
      : r.experiment === 'rl'
        ? `rl       ${r.env.padEnd(8)} ${r.backend.padEnd(11)} ${r.algorithm.padEnd(10)} ${r.metaItersPerSec.toFixed(3).padStart(7)} meta-it/s  (${r.tasks} tasks${r.note ? `, ${r.note}` : ''})`
        : r.experiment === 'omniglot'
          ? `omniglot ${r.env.padEnd(8)} ${r.backend.padEnd(11)} ${String(r.filters).padStart(2)} filters ${r.algorithm.padEnd(6)} ${r.workers ?? 1} thr ${r.metaItersPerSec.toFixed(3).padStart(7)} meta-it/s  evaluation ${r.evalImagesPerSec?.toFixed(0) ?? '-'} images/s${r.dispatches !== undefined ? `  ${r.dispatches} dispatches/it` : ''}${r.note ? `  (${r.note})` : ''}`
          : `${r.env.padEnd(8)} ${r.backend.padEnd(7)} ${r.algorithm.padEnd(10)} ${r.views ? `views ${r.views.padEnd(4)}` : ''}${r.metaItersPerSec.toFixed(1).padStart(8)} meta-it/s${r.note ? `  (${r.note})` : ''}`,
  );

async function benchNode() {
  for (const backend of NODE_BACKENDS) {
    await useBackend(backend);
    for (const algorithm of algorithms) {
      const learner = new MetaLearner(sinusoidObjective(cfg.hidden), initMlpValues(sizesOf(cfg.hidden), createRng(1)), {
        algorithm,
        inner: { alpha: cfg.alpha, steps: cfg.trainSteps },
        metaLr: cfg.metaLr,
      });
      const n = backend === 'cpu' ? Math.max(10, Math.round(iterations / 4)) : iterations;
      const run = async (count: number, from: number) => {
        for (let i = 0; i < count; i++) {
          const batch = batchTensors(sampleSinusoidBatch(createRng(`1/batch/${from + i}`), cfg.metaBatch, cfg.shots));
          const { preLoss, postLoss } = learner.step(batch);
          if (i === count - 1) await postLoss.data();
          tf.dispose([preLoss, postLoss, Object.values(batch)]);
        }
      };
      await run(3, 0);
      const before = tf.memory().numTensors;
      const t0 = performance.now();
      await run(n, 3);
      const rate = n / ((performance.now() - t0) / 1000);
      report({
        experiment: 'sinusoid',
        algorithm,
        env: 'node',
        backend,
        metaItersPerSec: +rate.toFixed(2),
        iterations: n,
        numTensors: tf.memory().numTensors - before,
      });
      learner.dispose();
    }
  }
}

/**
 * The fused kernel (src/maml/sinusoid/fusedMaml.ts), which the page uses when it calibrates
 * faster, on each of its dense-layer engines: WebAssembly SIMD (the default) and JavaScript.
 */
async function benchNodeFused() {
  const simd = simdEngine();
  const engines = 'unavailable' in simd ? [jsEngine] : [simd, jsEngine];
  for (const engine of engines)
    for (const algorithm of algorithms.filter((a) => FUSED_ALGORITHMS.includes(a))) {
      const learner = new FusedMetaLearner(
        sizesOf(cfg.hidden),
        initMlpValues(sizesOf(cfg.hidden), createRng(1)),
        { algorithm, inner: { alpha: cfg.alpha, steps: cfg.trainSteps }, metaLr: cfg.metaLr },
        engine,
      );
      const n = iterations * 4;
      const batches = Array.from({ length: n + 10 }, (_, i) => sampleSinusoidBatch(createRng(`1/batch/${i}`), cfg.metaBatch, cfg.shots));
      for (let i = 0; i < 10; i++) learner.step(batches[i]);
      const heap = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      for (let i = 10; i < n + 10; i++) learner.step(batches[i]);
      const rate = n / ((performance.now() - t0) / 1000);
      report({
        experiment: 'sinusoid',
        algorithm,
        env: 'node',
        backend: `fused-${engine.name}`,
        metaItersPerSec: +rate.toFixed(2),
        iterations: n,
        note: `heap +${((process.memoryUsage().heapUsed - heap) / 1e6).toFixed(1)} MB`,
      });
      learner.dispose();
    }
}

/**
 * Omniglot 5-way 1-shot meta-iterations per second (meta-batch 32, 5 queries per class)
 * on the fused conv kernel, its matrix products on tfjs-wasm or in plain JavaScript,
 * and images per second at evaluation (5-way 1-shot episodes, 3 steps).
 */
async function benchOmniglotNode() {
  const { loadOmniglot } = await import('./lib/omniglotData');
  const { ConvMetaLearner } = await import('../src/maml/omniglot/convLearner');
  const { IncrementalEvaluation } = await import('../src/maml/omniglot/experiment');
  const { DEFAULT_OMNIGLOT_CONFIG, EVALUATION_QUERIES } = await import('../src/maml/omniglot/config');
  const { tfGemm, jsGemm } = await import('../src/maml/networks/gemm');
  const { defaultGemm } = await import('../src/maml/networks/gemmSimd');
  const { jsConvPasses } = await import('../src/maml/networks/convPasses');
  const { defaultConvPasses } = await import('../src/maml/networks/convPassesSimd');
  const { TrainingBatches } = await import('../src/maml/omniglot/trainingBatches');
  const { sliceBatch } = await import('../src/maml/omniglot/dataParallel');
  const { startGradientProcesses } = await import('./lib/gradientProcesses');
  await useBackend('wasm');
  const ds = loadOmniglot();
  const threadCounts = args.threads!.split(',').map(Number);
  const helpers = await startGradientProcesses(Math.max(...threadCounts) - 1);
  // The default: the project's own SIMD products and the SIMD conv passes (batch norm, im2col); for comparison on
  // one thread, tfjs-wasm's products (XNNPACK, the default until 2026-12-03), the passes in JavaScript, and no wasm at all.
  const engines = [
    { gemm: defaultGemm(), passes: defaultConvPasses(), backend: 'simd-fused' },
    { gemm: tfGemm, passes: defaultConvPasses(), backend: 'wasm-fused' },
    { gemm: defaultGemm(), passes: jsConvPasses, backend: 'simd-fused-js-passes' },
    { gemm: jsGemm, passes: jsConvPasses, backend: 'js-fused' },
  ];
  for (const { gemm, passes, backend } of engines) {
    for (const filters of [32, 64]) {
      for (const algorithm of ['maml2', 'maml1'] as const) {
        for (const workers of backend === 'simd-fused' ? threadCounts : [1]) {
          const config = { ...DEFAULT_OMNIGLOT_CONFIG, filters, algorithm };
          const l = new ConvMetaLearner(config, gemm, undefined, passes);
          // As meta-train does: with helpers, the next batch is drawn while they finish.
          const batches = new TrainingBatches(ds);
          const step = (i: number) => {
            const batch = batches.at(config, i);
            return workers === 1
              ? Promise.resolve(l.step(batch))
              : l.stepParallel(
                  batch,
                  workers,
                  (share, body, h) => helpers.request(h, { type: 'grad', config, batch: sliceBatch(batch, share), body }),
                  () => batches.drawAhead(config, i + 1),
                );
          };
          const n = gemm === jsGemm ? 1 : Number(args['omniglot-iterations']);
          if (gemm !== jsGemm) await step(0);
          const heap = process.memoryUsage().heapUsed;
          const t0 = performance.now();
          for (let i = 1; i <= n; i++) await step(i);
          const rate = n / ((performance.now() - t0) / 1000);
          const episodes = gemm === jsGemm ? 5 : 30;
          const t1 = performance.now();
          const ev = new IncrementalEvaluation(l.net, l.body, ds, [
            { way: 5, shot: 1, queries: EVALUATION_QUERIES, episodes, inner: { alpha: 0.4, steps: 3 }, seed: 1 },
          ]);
          while (!ev.finished) ev.advance(1000);
          const imagesPerSec = (episodes * 5 * (1 + EVALUATION_QUERIES)) / ((performance.now() - t1) / 1000);
          report({
            experiment: 'omniglot',
            algorithm,
            env: 'node',
            backend,
            passes: passes.name,
            products: gemm.name,
            filters,
            workers,
            metaItersPerSec: +rate.toFixed(3),
            evalImagesPerSec: +imagesPerSec.toFixed(0),
            iterations: n,
            note: `heap change ${((process.memoryUsage().heapUsed - heap) / 1e6).toFixed(1)} MB`,
          });
        }
      }
    }
  }
  helpers.close();
}

async function benchBrowser() {
  const { build, preview } = await import('vite');
  const { chromium } = await import('@playwright/test');
  if (!existsSync('dist/bench.html')) await build({ logLevel: 'warn' });
  const server = await preview({ preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
  const url = server.resolvedUrls!.local[0];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'],
  });
  try {
    const page = await browser.newPage();
    const q = `backends=${args['browser-backends']}&algorithms=${algorithms.join(',')}&iterations=${iterations}&viewSeconds=${args['view-seconds']}&omniglot=${args.experiments!.includes('omniglot') ? 1 : 0}&omniglotIterations=${args['omniglot-iterations']}&omniglotEngines=${args['omniglot-engines']}&gpuTasks=${args['gpu-tasks']}&threads=${args.threads}&sinusoid=${args.experiments!.includes('sinusoid') ? 1 : 0}`;
    await page.goto(`${url}bench.html?${q}`);
    await page.waitForFunction(() => (window as unknown as { __benchDone?: boolean }).__benchDone, null, { timeout: 0, polling: 1000 });
    const results = (await page.evaluate(() => (window as unknown as { __benchResults: unknown[] }).__benchResults)) as {
      backend: string;
      engine?: string;
      kernel?: string;
      algorithm: Algorithm;
      metaItersPerSec: number;
      iterations: number;
      note: string;
    }[];
    for (const r of results)
      report({
        experiment: 'sinusoid',
        algorithm: r.algorithm,
        env: 'browser',
        backend: r.engine === 'fused' ? `fused-${r.kernel}` : r.backend,
        metaItersPerSec: +r.metaItersPerSec.toFixed(2),
        iterations: r.iterations,
        note: r.note,
      });
    // The page's whole loop (meta-learner and baseline together), extra views off and on.
    const sessions = (await page.evaluate(() => (window as unknown as { __benchSessions: unknown[] }).__benchSessions)) as {
      backend: string;
      engine: string;
      kernel?: string;
      views: boolean;
      metaItersPerSec: number;
      iterations: number;
      note: string;
    }[];
    for (const r of sessions)
      report({
        experiment: 'sinusoid',
        algorithm: 'maml2',
        env: 'browser',
        backend: r.engine === 'fused' ? `fused-${r.kernel}` : r.backend,
        views: r.views ? 'on' : 'off',
        metaItersPerSec: +r.metaItersPerSec.toFixed(2),
        iterations: r.iterations,
        note: `training loop with baseline; ${r.note}`,
      });
    const omni = (await page.evaluate(() => (window as unknown as { __omniglotResults: unknown[] }).__omniglotResults)) as {
      filters: number;
      algorithm: string;
      backend: string;
      metaItersPerSec: number;
      evalImagesPerSec: number;
      iterations: number;
      tasks: number;
      workers: number;
      dispatches?: number;
    }[];
    for (const r of omni)
      report({
        experiment: 'omniglot',
        algorithm: r.algorithm,
        env: 'browser',
        backend: r.backend,
        filters: r.filters,
        workers: r.workers,
        ...(r.dispatches !== undefined && { dispatches: r.dispatches }),
        metaItersPerSec: +r.metaItersPerSec.toFixed(3),
        evalImagesPerSec: Number.isFinite(r.evalImagesPerSec) ? +r.evalImagesPerSec.toFixed(0) : undefined,
        iterations: r.iterations,
        tasks: r.tasks,
        note: r.tasks !== 32 ? `meta-batch of ${r.tasks} tasks` : undefined,
      });
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
}

/** MAML-RL (second order, exact) and the pretrained policy's joint policy gradient, per meta-iteration. */
async function benchRlNode() {
  const { RlLearner } = await import('../src/maml/rl/mamlRl');
  const { rlConfig } = await import('../src/maml/rl/rlConfig');
  const { tfGemm, jsGemm } = await import('../src/maml/networks/gemm');
  await useBackend('wasm');
  const tasks = Number(args['rl-tasks']);
  const n = Number(args['rl-iterations']);
  for (const gemm of [tfGemm, jsGemm])
    for (const method of ['maml', 'pretrained'] as const) {
      const l = new RlLearner(rlConfig('navigation', { metaBatch: tasks }), method, gemm);
      l.step();
      const heap = process.memoryUsage().heapUsed;
      const tensors = tf.memory().numTensors;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) l.step();
      const rate = n / ((performance.now() - t0) / 1000);
      report({
        experiment: 'rl',
        algorithm: method,
        env: 'node',
        backend: `${gemm.name === 'js' ? 'js' : 'wasm'}-fused`,
        metaItersPerSec: +rate.toFixed(3),
        iterations: n,
        tasks,
        numTensors: tf.memory().numTensors - tensors,
        note: `heap change ${((process.memoryUsage().heapUsed - heap) / 1e6).toFixed(1)} MB, tensors +${tf.memory().numTensors - tensors}`,
      });
    }
}

if (!args.json && args.experiments!.includes('rl'))
  console.log('RL 2-D navigation meta-iterations per second (20 trajectories x 100 steps per task before and after adaptation, 2 epochs)');
if (!args.json && args.experiments!.includes('sinusoid'))
  console.log(
    `Sinusoid meta-iterations per second, paper settings (meta-batch ${cfg.metaBatch}, K=${cfg.shots}, 1-${cfg.hidden.join('-')}-1)`,
  );
if (!args.json && args.experiments!.includes('omniglot'))
  console.log('Omniglot 5-way 1-shot meta-iterations per second (meta-batch 32, 5 queries per class), and evaluation images per second');
if (args.env === 'node' || args.env === 'all') {
  if (args.experiments!.includes('sinusoid')) {
    await benchNode();
    await benchNodeFused();
  }
  if (args.experiments!.includes('omniglot')) await benchOmniglotNode();
  if (args.experiments!.includes('rl')) await benchRlNode();
}
if (args.env === 'browser' || args.env === 'all') await benchBrowser();
process.exit(0);
