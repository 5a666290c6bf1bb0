/**
 * Omniglot meta-training speed of the GPU path (GpuMetaGradient: the WGSL kernels for one inner step, else the tensor kernel; ConvMetaLearner.stepWith)
 * on tfjs-backend-webgpu over Dawn's Node bindings, against the fused kernel on tfjs-wasm
 * (ConvMetaLearner.step), plus the meta-gradient of one batch on both.
 *
 * Env: BENCH_SECONDS (timed seconds per config, default 8), BENCH_DEADLINE (overall seconds, default 240),
 * BENCH_CONFIGS (comma list of ids, default all), BENCH_SCALE=small (tiny sizes for a local smoke test),
 * OUT_JSON (results file), DAWN_NODE (path of dawn.node), WASM_THREADS=1 (try the threaded wasm build).
 */
import { dawnError, gpuObject } from './setup-gpu';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import * as tf from '../../src/maml/tf';
import { openOmniglotPack } from '../../src/maml/omniglot/pack';
import { ConvMetaLearner, convShape } from '../../src/maml/omniglot/convLearner';
import { metaGradient } from '../../src/maml/omniglot/convMaml';
import { GpuMetaGradient } from '../../src/maml/omniglot/convMamlGpu';
import { ConvNet, initBody } from '../../src/maml/networks/convNet';
import { jsGemm } from '../../src/maml/networks/gemm';
import { defaultGemm } from '../../src/maml/networks/gemmSimd';
import { DEFAULT_OMNIGLOT_CONFIG, OMNIGLOT_PRESETS, type OmniglotConfig } from '../../src/maml/omniglot/config';
import { trainingBatch, type EpisodeBatch } from '../../src/maml/omniglot/tasks';
import { createRng } from '../../src/maml/random';

/** tfjs-backend-webgpu's device (the WGSL engine runs on it), once that backend is active. */
const gpuDevice = () => (tf.backend() as unknown as { device: GPUDevice }).device;
const here = dirname(fileURLToPath(import.meta.url));
const T0 = performance.now();
const elapsed = () => (performance.now() - T0) / 1000;
const DEADLINE = Number(process.env.BENCH_DEADLINE ?? 240);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const SMALL = process.env.BENCH_SCALE === 'small';
const left = () => DEADLINE - elapsed();
const log = (...a: unknown[]) => console.log(`[${elapsed().toFixed(1).padStart(6)}s]`, ...a);
const results: Record<string, unknown>[] = [];
const save = () => {
  if (process.env.OUT_JSON) writeFileSync(process.env.OUT_JSON, JSON.stringify({ results, elapsed: elapsed() }, null, 1));
};

// Watchdog: asynchronous hangs (a GPU read that never resolves) end the run with what was measured.
const watchdog = setTimeout(
  () => {
    log(`WATCHDOG: overall deadline ${DEADLINE + 30}s passed; exiting with the results so far`);
    save();
    process.exit(3);
  },
  (DEADLINE + 30) * 1000,
);

interface Cfg {
  id: string;
  preset: keyof typeof OMNIGLOT_PRESETS;
  filters: number;
  tasks?: number;
  engines: ('webgpu' | 'wasm')[];
  /** Skip the wasm engine unless this many seconds are left (it is slow for the big configs). */
  wasmNeeds?: number;
}

const ALL: Cfg[] = SMALL
  ? [
      { id: '5w32f', preset: '5-way 1-shot', filters: 4, tasks: 2, engines: ['webgpu', 'wasm'] },
      { id: '5w64f', preset: '5-way 1-shot', filters: 8, tasks: 2, engines: ['webgpu', 'wasm'] },
      { id: '5w32f-mb4', preset: '5-way 1-shot', filters: 4, tasks: 1, engines: ['webgpu'] },
      { id: '20w64f', preset: '20-way 1-shot', filters: 4, tasks: 1, engines: ['webgpu', 'wasm'], wasmNeeds: 20 },
    ]
  : [
      { id: '5w32f', preset: '5-way 1-shot', filters: 32, engines: ['webgpu', 'wasm'] },
      { id: '5w64f', preset: '5-way 1-shot', filters: 64, engines: ['webgpu', 'wasm'] },
      { id: '5w32f-mb4', preset: '5-way 1-shot', filters: 32, tasks: 4, engines: ['webgpu'] },
      { id: '20w64f', preset: '20-way 1-shot', filters: 64, engines: ['webgpu', 'wasm'], wasmNeeds: 70 },
    ];
const wanted = process.env.BENCH_CONFIGS?.split(',');
const CONFIGS = wanted ? ALL.filter((c) => wanted.includes(c.id)) : ALL;

function configOf(c: Cfg): OmniglotConfig {
  const p = OMNIGLOT_PRESETS[c.preset];
  return { ...DEFAULT_OMNIGLOT_CONFIG, ...p, filters: c.filters, algorithm: 'maml2', metaBatch: c.tasks ?? p.metaBatch };
}

async function useBackend(name: 'wasm' | 'webgpu') {
  if (tf.getBackend() === name) return;
  if (!(await tf.setBackend(name))) throw new Error(`setBackend(${name}) returned false`);
  await tf.ready();
}

function loadData() {
  const dir = process.env.DATA_DIR ?? join(here, 'data');
  return openOmniglotPack(
    JSON.parse(readFileSync(join(dir, 'omniglot.json'), 'utf8')),
    new Uint8Array(readFileSync(join(dir, 'omniglot.bin'))),
  );
}

async function main() {
  log(
    `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model}), deadline ${DEADLINE}s, ${SECONDS}s per timing${SMALL ? ', SMALL sizes' : ''}`,
  );
  if (dawnError) log(`dawn.node failed to load: ${dawnError}`);

  // wasm first (the CPU baseline and the reference for the correctness check).
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', process.env.WASM_THREADS === '1');
  setWasmPaths(here + '/');
  try {
    await useBackend('wasm');
    log(
      `wasm backend ready (threads flag ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')}, simd ${await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')})`,
    );
  } catch (e) {
    log(`wasm backend FAILED: ${(e as Error).stack}`);
  }

  // WebGPU: the adapter as Dawn reports it, then the tfjs backend.
  let gpuOk = false;
  try {
    const gpu = gpuObject as {
      requestAdapter(o?: object): Promise<null | {
        info: Record<string, unknown>;
        isFallbackAdapter?: boolean;
        features: Set<string>;
        limits: Record<string, number>;
      }>;
    } | null;
    if (!gpu) throw new Error('no navigator.gpu');
    const a = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!a) throw new Error('requestAdapter returned null');
    const i = a.info;
    const info = {
      vendor: i.vendor,
      architecture: i.architecture,
      device: i.device,
      description: i.description,
      isFallbackAdapter: i.isFallbackAdapter ?? a.isFallbackAdapter,
      subgroupMinSize: i.subgroupMinSize,
      subgroupMaxSize: i.subgroupMaxSize,
    };
    log('adapter', JSON.stringify(info));
    log('features', [...a.features].join(','));
    log(
      'limits',
      JSON.stringify({
        maxBufferSize: a.limits.maxBufferSize,
        maxStorageBufferBindingSize: a.limits.maxStorageBufferBindingSize,
        maxComputeWorkgroupStorageSize: a.limits.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: a.limits.maxComputeInvocationsPerWorkgroup,
      }),
    );
    results.push({ kind: 'adapter', ...info });
    const ok = await tf.setBackend('webgpu');
    log(`tf.setBackend('webgpu') -> ${ok}; backend ${tf.getBackend()}`);
    if (ok) {
      await tf.ready();
      const x = tf.tensor1d([1, 2, 3]);
      const y = await tf.mul(x, x).sum().data();
      log(`webgpu sanity: sum of squares of [1,2,3] = ${y[0]}`);
      tf.dispose(x);
      gpuOk = y[0] === 14;
    }
  } catch (e) {
    log(`webgpu FAILED: ${(e as Error).stack}`);
  }
  save();

  const ds = loadData();
  log(`data: ${ds ? 'loaded' : 'missing'}`);

  // Correctness first (cheap): the GPU meta-gradient against the fused kernel on wasm (float32) on the same batch and body.
  const checks: { filters: number; tasks: number; preset: keyof typeof OMNIGLOT_PRESETS; f64?: boolean }[] = SMALL
    ? [
        { filters: 4, tasks: 2, preset: '5-way 1-shot', f64: true },
        { filters: 4, tasks: 1, preset: '20-way 1-shot' },
      ]
    : [
        { filters: 32, tasks: 32, preset: '5-way 1-shot' },
        { filters: 64, tasks: 32, preset: '5-way 1-shot' },
        { filters: 32, tasks: 4, preset: '5-way 1-shot', f64: true },
      ];
  for (const chk of checks) {
    if (!gpuOk) break;
    if (left() < 60) {
      log(`skip check ${JSON.stringify(chk)}: ${left().toFixed(0)}s left`);
      continue;
    }
    try {
      const config = configOf({ id: '', preset: chk.preset, filters: chk.filters, tasks: chk.tasks, engines: [] });
      const shape = convShape(chk.filters);
      const rng = createRng('check/body');
      const body = initBody(shape, () => rng.next());
      const spec = { way: config.way, shot: config.shot, queries: config.queries, rotations: true };
      const batch = trainingBatch(ds, spec, config.metaBatch, 7, 0);
      const inner = { alpha: config.alpha, steps: config.trainSteps };
      await useBackend('webgpu');
      const net = new GpuMetaGradient(shape, gpuDevice());
      const before = tf.memory().numTensors;
      const g = await net.metaGradient(body, batch, inner, 'maml2');
      const leaked = tf.memory().numTensors - before;
      net.dispose();
      await useBackend('wasm');
      const ref = body.map((b) => new Float32Array(b.length));
      const r = metaGradient(new ConvNet(shape, defaultGemm()), body, batch, inner, 'maml2', ref);
      const cmp = (a: ArrayLike<number>[], e: ArrayLike<number>[]) => {
        let num = 0,
          den = 0,
          maxAbs = 0,
          maxRef = 0,
          maxElemRel = 0;
        const perBlock: number[] = [];
        for (let k = 0; k < e.length; k++) {
          let bMax = 0,
            bRef = 0;
          for (let j = 0; j < e[k].length; j++) {
            const d = Math.abs(a[k][j] - e[k][j]);
            num += d * d;
            den += e[k][j] * e[k][j];
            bMax = Math.max(bMax, d);
            bRef = Math.max(bRef, Math.abs(e[k][j]));
            if (Math.abs(e[k][j]) > 1e-4) maxElemRel = Math.max(maxElemRel, d / Math.abs(e[k][j]));
          }
          perBlock.push(+(bMax / (bRef || 1)).toExponential(2));
          maxAbs = Math.max(maxAbs, bMax);
          maxRef = Math.max(maxRef, bRef);
        }
        return {
          relL2: +Math.sqrt(num / den).toExponential(3),
          maxAbsDiffOverMaxAbs: +(maxAbs / maxRef).toExponential(3),
          maxElemRel_whereRefAbsGt1e4: +maxElemRel.toExponential(3),
          perBlockMaxDiffOverMax: perBlock,
        };
      };
      const res: Record<string, unknown> = {
        kind: 'check',
        preset: chk.preset,
        filters: chk.filters,
        tasks: config.metaBatch,
        algorithm: 'maml2',
        gpu_vs_wasm: cmp(g.grads, ref),
        postLoss: { gpu: g.sums.postLoss / g.sums.tasks, wasm: r.postLoss },
        postCorrect: { gpu: g.sums.postCorrect / g.sums.queries, wasm: r.postAccuracy },
        tensorsLeaked: leaked,
      };
      if (chk.f64) {
        const body64 = body.map((x) => Float64Array.from(x));
        const b64 = {
          ...batch,
          support: Float64Array.from(batch.support),
          query: Float64Array.from(batch.query),
        } as unknown as EpisodeBatch;
        const ref64 = body.map((x) => new Float64Array(x.length));
        metaGradient(new ConvNet(shape, jsGemm), body64, b64, inner, 'maml2', ref64);
        res.gpu_vs_f64 = cmp(g.grads, ref64);
        res.wasm_vs_f64 = cmp(ref, ref64);
      }
      log('check', JSON.stringify(res));
      results.push(res);
      save();
    } catch (e) {
      log(`check ${JSON.stringify(chk)} FAILED: ${(e as Error).stack}`);
    }
  }

  // Timings.
  for (const c of CONFIGS) {
    const config = configOf(c);
    const spec = { way: config.way, shot: config.shot, queries: config.queries, rotations: true };
    const inner = { alpha: config.alpha, steps: config.trainSteps };
    for (const engine of c.engines) {
      const label = `${c.id} ${engine} (${c.preset}, ${c.filters} filters, meta-batch ${config.metaBatch}, ${config.trainSteps} inner step(s), maml2)`;
      if (engine === 'webgpu' && !gpuOk) {
        log(`skip ${label}: webgpu unavailable`);
        continue;
      }
      const need = engine === 'wasm' ? (c.wasmNeeds ?? 25) : 25;
      if (left() < need) {
        log(`skip ${label}: ${left().toFixed(0)}s left, needs ${need}`);
        results.push({ kind: 'timing', id: c.id, engine, skipped: `time (${left().toFixed(0)}s left)` });
        continue;
      }
      let net: GpuMetaGradient | null = null;
      try {
        await useBackend(engine);
        const l = new ConvMetaLearner(config, defaultGemm());
        if (engine === 'webgpu') net = new GpuMetaGradient(convShape(c.filters), gpuDevice());
        const step = async (i: number) =>
          net
            ? l.stepWith((body) => net!.metaGradient(body, trainingBatch(ds, spec, config.metaBatch, 1, i), inner, config.algorithm))
            : l.step(trainingBatch(ds, spec, config.metaBatch, 1, i));
        const warm: number[] = [];
        const warmups = engine === 'webgpu' ? 2 : c.wasmNeeds ? 0 : 1;
        for (let i = 0; i < warmups; i++) {
          const t = performance.now();
          await step(i);
          warm.push(+((performance.now() - t) / 1000).toFixed(3));
        }
        log(`${label}: warm-up step times ${warm.join(', ')} s`);
        const budget = Math.min(SECONDS, Math.max(1, left() - 15));
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        let n = 0;
        let last: unknown = null;
        const maxIters = engine === 'webgpu' ? 500 : 200;
        while (n < maxIters) {
          last = await step(warmups + n);
          n++;
          if ((performance.now() - t0) / 1000 >= budget) break;
        }
        const secs = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const cpuSecs = +((cpu.user + cpu.system) / 1e6).toFixed(3);
        const rate = n / secs;
        const mem = engine === 'webgpu' ? tf.memory() : null;
        const r = {
          kind: 'timing',
          id: c.id,
          engine,
          preset: c.preset,
          filters: c.filters,
          tasks: config.metaBatch,
          innerSteps: config.trainSteps,
          algorithm: 'maml2',
          iterations: n,
          seconds: +secs.toFixed(3),
          metaItersPerSec: +rate.toFixed(3),
          msPerIter: +((1000 * secs) / n).toFixed(1),
          warmupSeconds: warm,
          processCpuSeconds: cpuSecs,
          lastResult: last,
          numTensors: mem?.numTensors,
          gpuBytes: (mem as unknown as { numBytesInGPU?: number })?.numBytesInGPU,
        };
        log(
          `RESULT ${label}: ${rate.toFixed(3)} meta-it/s (${n} its in ${secs.toFixed(2)} s, ${r.msPerIter} ms/it, process CPU ${cpuSecs}s over ${secs.toFixed(2)}s wall); last ${JSON.stringify(last)}`,
        );
        results.push(r);
      } catch (e) {
        log(`${label} FAILED: ${(e as Error).stack}`);
        results.push({ kind: 'timing', id: c.id, engine, error: String((e as Error).message) });
      } finally {
        net?.dispose();
        save();
      }
    }
  }
}

try {
  await main();
} catch (e) {
  log(`FATAL: ${(e as Error).stack}`);
}
clearTimeout(watchdog);
save();
log('done');
process.exit(0);
