/**
 * Throughput benchmark: sinusoid meta-iterations per second (paper settings: meta-batch 25,
 * K = 10, 1-40-40-1, one inner step) for each algorithm, on each backend available in Node
 * and in headless Chromium's worker.
 *   npm run bench [-- --json] [--env node|browser|all] [--iterations 200] [--algorithms maml2,maml1]
 * With --json, one object per line: {"experiment","algorithm","env","backend","metaItersPerSec",...}.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '../src/maml/tf';
import { PAPER_SINUSOID_CONFIG as cfg, batchTensors, sinusoidObjective, sizesOf } from '../src/maml/experiments/sinusoid';
import { MetaLearner } from '../src/maml/learner';
import { initMlpValues } from '../src/maml/models/mlp';
import { createRng } from '../src/maml/random';
import { sampleSinusoidBatch } from '../src/maml/tasks/sinusoid';
import type { Algorithm } from '../src/maml/algorithms/algorithm';
import { NODE_BACKENDS, useBackend } from './node-backend';
import { FUSED_ALGORITHMS, FusedMetaLearner } from '../src/maml/fused/fusedLearner';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    env: { type: 'string', default: 'all' },
    iterations: { type: 'string', default: '200' },
    algorithms: { type: 'string', default: 'maml2,maml1' },
    'browser-backends': { type: 'string', default: 'webgpu,webgl,wasm' },
    'view-seconds': { type: 'string', default: '8' },
  },
});
const iterations = Number(args.iterations);
const algorithms = args.algorithms!.split(',') as Algorithm[];

interface Row {
  experiment: 'sinusoid';
  algorithm: Algorithm;
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
      report({ experiment: 'sinusoid', algorithm, env: 'node', backend, metaItersPerSec: +rate.toFixed(2), iterations: n, numTensors: tf.memory().numTensors - before });
      learner.dispose();
    }
  }
}

/** The fused JavaScript kernel (src/maml/fused), which the page uses when it calibrates faster. */
async function benchNodeFused() {
  for (const algorithm of algorithms.filter((a) => FUSED_ALGORITHMS.includes(a))) {
    const learner = new FusedMetaLearner(sizesOf(cfg.hidden), initMlpValues(sizesOf(cfg.hidden), createRng(1)), {
      algorithm,
      inner: { alpha: cfg.alpha, steps: cfg.trainSteps },
      metaLr: cfg.metaLr,
    });
    const n = iterations * 4;
    const batches = Array.from({ length: n + 10 }, (_, i) => sampleSinusoidBatch(createRng(`1/batch/${i}`), cfg.metaBatch, cfg.shots));
    for (let i = 0; i < 10; i++) learner.step(batches[i]);
    const heap = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    for (let i = 10; i < n + 10; i++) learner.step(batches[i]);
    const rate = n / ((performance.now() - t0) / 1000);
    report({ experiment: 'sinusoid', algorithm, env: 'node', backend: 'fused-js', metaItersPerSec: +rate.toFixed(2), iterations: n, note: `heap +${((process.memoryUsage().heapUsed - heap) / 1e6).toFixed(1)} MB` });
    learner.dispose();
  }
}

async function benchBrowser() {
  const { build, preview } = await import('vite');
  const { chromium } = await import('@playwright/test');
  if (!existsSync('dist/bench.html')) await build({ logLevel: 'warn' });
  const server = await preview({ preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
  const url = server.resolvedUrls!.local[0];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--enable-unsafe-webgpu'],
  });
  try {
    const page = await browser.newPage();
    const q = `backends=${args['browser-backends']}&algorithms=${algorithms.join(',')}&iterations=${iterations}&viewSeconds=${args['view-seconds']}`;
    await page.goto(`${url}bench.html?${q}`);
    await page.waitForFunction(() => (window as unknown as { __benchDone?: boolean }).__benchDone, null, { timeout: 0, polling: 1000 });
    const results = (await page.evaluate(() => (window as unknown as { __benchResults: unknown[] }).__benchResults)) as {
      backend: string; engine?: string; algorithm: Algorithm; metaItersPerSec: number; iterations: number; note: string;
    }[];
    for (const r of results)
      report({ experiment: 'sinusoid', algorithm: r.algorithm, env: 'browser', backend: r.engine === 'fused' ? 'fused-js' : r.backend, metaItersPerSec: +r.metaItersPerSec.toFixed(2), iterations: r.iterations, note: r.note });
    // The page's whole loop (meta-learner and baseline together), extra views off and on.
    const sessions = (await page.evaluate(() => (window as unknown as { __benchSessions: unknown[] }).__benchSessions)) as {
      backend: string; engine: string; views: boolean; metaItersPerSec: number; iterations: number; note: string;
    }[];
    for (const r of sessions)
      report({ experiment: 'sinusoid', algorithm: 'maml2', env: 'browser', backend: r.engine === 'fused' ? 'fused-js' : r.backend, views: r.views ? 'on' : 'off', metaItersPerSec: +r.metaItersPerSec.toFixed(2), iterations: r.iterations, note: `training loop with baseline; ${r.note}` });
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
}

if (!args.json) console.log(`Sinusoid meta-iterations per second, paper settings (meta-batch ${cfg.metaBatch}, K=${cfg.shots}, 1-${cfg.hidden.join('-')}-1)`);
if (args.env === 'node' || args.env === 'all') {
  await benchNode();
  await benchNodeFused();
}
if (args.env === 'browser' || args.env === 'all') await benchBrowser();
process.exit(0);
