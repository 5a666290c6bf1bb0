/**
 * The browser half of `npm run bench`: for each backend in ?backends=, a fresh worker
 * times ?iterations= meta-iterations of each algorithm in ?algorithms= (paper settings).
 * Results appear in the page and in window.__benchResults for the bench script.
 */
import { PAPER_SINUSOID_CONFIG } from '../maml/sinusoid/config';
import type { Algorithm } from '../maml/algorithm/algorithm';
import type { BackendName } from '../worker/protocol';
import type { FromOmniglotBench, FromSinusoidBench, ToOmniglotBench, ToOmniglotCheck, ToSinusoidBench } from './benchProtocol';

type Result = Extract<FromSinusoidBench, { type: 'benchResult' }>;
type SessionResult = Extract<FromSinusoidBench, { type: 'benchSessionResult' }>;
const q = new URLSearchParams(location.search);
const backends = (q.get('backends') ?? 'webgpu,webgl,wasm').split(',') as BackendName[];
const algorithms = (q.get('algorithms') ?? 'maml2,maml1').split(',') as Algorithm[];
const iterations = Number(q.get('iterations') ?? 100);
const out = document.getElementById('out')!;
const results: Result[] = [];
const viewSeconds = Number(q.get('viewSeconds') ?? 0);
const sessionResults: SessionResult[] = [];
const w = window as unknown as { __benchResults?: Result[]; __benchSessions?: SessionResult[]; __benchDone?: boolean };

function runOne<R>(worker: Worker, m: ToSinusoidBench): Promise<R> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<FromSinusoidBench>) => {
      if (e.data.type === 'benchResult' || e.data.type === 'benchSessionResult') resolve(e.data as R);
      if (e.data.type === 'error') reject(new Error(e.data.message));
    };
    worker.postMessage(m);
  });
}

const sinusoid = q.get('sinusoid') !== '0';
for (const backend of sinusoid ? backends : []) {
  const worker = new Worker(new URL('./sinusoid.worker.ts', import.meta.url), { type: 'module' });
  for (const algorithm of algorithms) {
    try {
      results.push(await runOne<Result>(worker, { type: 'bench', backend, algorithm, iterations, config: PAPER_SINUSOID_CONFIG }));
    } catch (e) {
      results.push({ type: 'benchResult', backend, algorithm, metaItersPerSec: 0, iterations: 0, note: (e as Error).message });
    }
    out.textContent = results.map((r) => `${r.backend} ${r.algorithm}: ${r.metaItersPerSec.toFixed(1)} meta-it/s (${r.note})`).join('\n');
  }
  worker.terminate();
  // The whole training loop as the page runs it, with the extra views on and off.
  if (viewSeconds > 0) {
    for (const views of [false, true]) {
      const sw = new Worker(new URL('./sinusoid.worker.ts', import.meta.url), { type: 'module' });
      try {
        sessionResults.push(
          await runOne<SessionResult>(sw, { type: 'benchSession', backend, views, seconds: viewSeconds, config: PAPER_SINUSOID_CONFIG }),
        );
      } catch (e) {
        sessionResults.push({
          type: 'benchSessionResult',
          backend,
          engine: 'tfjs',
          views,
          metaItersPerSec: 0,
          iterations: 0,
          note: (e as Error).message,
        });
      }
      sw.terminate();
    }
  }
}
// The fused JavaScript kernel (CPU), timed the same way.
if (sinusoid && q.get('fused') !== '0') {
  const worker = new Worker(new URL('./sinusoid.worker.ts', import.meta.url), { type: 'module' });
  for (const algorithm of algorithms) {
    results.push(
      await runOne<Result>(worker, {
        type: 'bench',
        backend: 'wasm',
        engine: 'fused',
        algorithm,
        iterations: iterations * 4,
        config: PAPER_SINUSOID_CONFIG,
      }),
    );
  }
  worker.terminate();
  if (viewSeconds > 0) {
    for (const views of [false, true]) {
      const sw = new Worker(new URL('./sinusoid.worker.ts', import.meta.url), { type: 'module' });
      sessionResults.push(
        await runOne<SessionResult>(sw, {
          type: 'benchSession',
          backend: 'wasm',
          engine: 'fused',
          views,
          seconds: viewSeconds,
          config: PAPER_SINUSOID_CONFIG,
        }),
      );
      sw.terminate();
    }
  }
  out.textContent = results
    .map((r) => `${r.engine === 'fused' ? 'fused-js' : r.backend} ${r.algorithm}: ${r.metaItersPerSec.toFixed(1)} meta-it/s (${r.note})`)
    .join('\n');
}
// ?check=wgsl: the WGSL engine's meta-gradients against the float64 kernel on this WebGPU device.
type CheckResult = Extract<FromOmniglotBench, { type: 'checkResult' }>;
if (q.get('check') === 'wgsl') {
  const cw = new Worker(new URL('./omniglot.worker.ts', import.meta.url), { type: 'module' });
  const result = await new Promise<CheckResult | { error: string }>((resolve) => {
    cw.onmessage = (e: MessageEvent<FromOmniglotBench>) => {
      if (e.data.type === 'checkResult') resolve(e.data);
      if (e.data.type === 'error') resolve({ error: e.data.message });
    };
    cw.postMessage({ type: 'checkWgsl', baseUrl: new URL('./', location.href).href } satisfies ToOmniglotCheck);
  });
  cw.terminate();
  (w as unknown as { __wgslCheck: typeof result }).__wgslCheck = result;
  out.textContent +=
    'error' in result
      ? `\nWGSL check failed: ${result.error}`
      : result.cases
          .map((c) => `\n${c.name}: largest relative error ${Math.max(...c.errors).toExponential(2)}, ${c.dispatches} dispatches`)
          .join('');
}
// Omniglot 5-way 1-shot (meta-batch 32, 5 queries per class) on the fused conv kernel.
type OmniResult = Extract<FromOmniglotBench, { type: 'benchResult' }>;
const omniglotResults: OmniResult[] = [];
if (q.get('omniglot') !== '0') {
  const ow = new Worker(new URL('./omniglot.worker.ts', import.meta.url), { type: 'module' });
  const next = <T>(pred: (m: FromOmniglotBench) => boolean) =>
    new Promise<T>((resolve, reject) => {
      ow.onmessage = (e: MessageEvent<FromOmniglotBench>) => {
        if (e.data.type === 'error') reject(new Error(e.data.message));
        else if (pred(e.data)) resolve(e.data as T);
      };
    });
  const engines = (q.get('omniglotEngines') ?? 'fused,webgpu,webgl').split(',') as NonNullable<ToOmniglotBench['engine']>[];
  for (const engine of engines)
    // The software GPU adapters here take minutes per configuration: 32 filters, second order only.
    for (const filters of engine === 'fused' ? [32, 64] : [32]) {
      for (const algorithm of engine === 'fused' ? (['maml2', 'maml1'] as const) : (['maml2'] as const))
        for (const workers of engine === 'fused' ? (q.get('threads') ?? '1,2').split(',').map(Number) : [1]) {
          const r = next<OmniResult>((m) => m.type === 'benchResult' || m.type === 'error');
          // The software GPU adapters here are slow: one timed iteration of a 4-task meta-batch there.
          const gpu = engine !== 'fused';
          ow.postMessage({
            type: 'bench',
            baseUrl: new URL('./', location.href).href,
            filters,
            algorithm,
            engine,
            iterations: gpu ? 1 : Number(q.get('omniglotIterations') ?? 3),
            tasks: gpu ? Number(q.get('gpuTasks') ?? 4) : 32,
            workers,
          } satisfies ToOmniglotBench);
          try {
            omniglotResults.push(await r);
          } catch (e) {
            omniglotResults.push({
              type: 'benchResult',
              filters,
              algorithm,
              backend: `${engine} (failed: ${(e as Error).message})`,
              metaItersPerSec: 0,
              evalImagesPerSec: NaN,
              iterations: 0,
              tasks: 0,
              workers,
            });
          }
          out.textContent += `\nomniglot ${filters} filters ${algorithm} ${workers} threads: ${omniglotResults[omniglotResults.length - 1].metaItersPerSec.toFixed(2)} meta-it/s`;
        }
    }
  ow.terminate();
}
(w as unknown as { __omniglotResults: OmniResult[] }).__omniglotResults = omniglotResults;
w.__benchSessions = sessionResults;
w.__benchResults = results;
w.__benchDone = true;
