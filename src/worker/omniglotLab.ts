/**
 * The Omniglot lab as its worker runs it: loads the packed data set and the meta-trained model (the user's
 * saved state from IndexedDB first, else the shipped checkpoint), meta-trains on request
 * toward a target iteration, answers episode views, and runs the held-out evaluation in
 * the background, all interleaved in short slices so every message is answered quickly.
 * `createOmniglotLab` makes one lab with all its state; omniglot.worker.ts serves it.
 */
import { decodeCheckpoint, encodeCheckpoint, type LearnerState } from '../maml/checkpoint';
import { readOmniglotModel } from '../maml/io/modelImport';
import { conv4Metadata, conv4ToTorch } from '../maml/io/conv4Torch';
import { encodeSafetensors } from '../maml/io/safetensors';
import { TEST_ALPHABETS, toInkBytes, type OmniglotDataset } from '../maml/omniglot/pack';
import { fetchBytes, fetchOk, loadDataset } from './assets';
import { checkpointDownload } from './modelFiles';
import { OMNIGLOT_SETTINGS } from '../maml/omniglot/settings';
import { checkSettings } from '../maml/settings/table';
import { IncrementalEvaluation } from '../maml/omniglot/experiment';
import {
  innerFor,
  DEFAULT_OMNIGLOT_CONFIG,
  EVALUATION_QUERIES,
  EVALUATION_SEED,
  EVALUATION_SETTINGS,
  type OmniglotConfig,
} from '../maml/omniglot/config';
import { ConvMetaLearner, convShape } from '../maml/omniglot/convLearner';
import { adaptationTrace, episodeTask } from '../maml/omniglot/convMaml';
import { jsGemm, type Gemm } from '../maml/networks/gemm';
import { defaultGemm, gemmLabel } from '../maml/networks/gemmSimd';
import { createRng } from '../maml/random';
import { sampleEpisodes, trainingBatch, type EpisodeBatch } from '../maml/omniglot/tasks';
import { TrainingBatches } from '../maml/omniglot/trainingBatches';
import { activate, deviceLost, lostWithin, webgpuDevice } from './backends';
import { preprocessRgba } from '../maml/omniglot/preprocess';
import { preprocessFile } from './decodeImage';
import * as tf from '../maml/tf';
import { GpuMetaGradient, WGSL_DISPATCHES } from '../maml/omniglot/convMamlGpu';
import { metaGradient } from '../maml/omniglot/convMaml';
import { omniglotStore } from './modelStore';
import type {
  EpisodeRequest,
  EpisodeView,
  FromOmniglotWorker,
  ModelSource,
  OmniglotCurvePoint,
  SettingsEvent,
  ToOmniglotWorker,
} from './omniglotProtocol';
import { yieldToEvents } from './yieldToEvents';
import { comparisonRunner } from './omniglotCompare';
import { batchClassify, classifyOwn, exportClassifier, loadPretrained, type OwnImagesContext } from './ownImages';
import { confusionEpisode } from './confusion';
import { RateMeter } from './rateMeter';
import { dispatchCount } from './dispatchCounter';
import { defaultWorkers, MAX_WORKERS, startGradientPool, type GradientPool } from './gradientPool';
import { convPassesLabel } from '../maml/networks/convPassesSimd';

/** Training is saved at least this often (and on pause, on a tab hidden, on leaving the page). */
const SAVE_EVERY_MS = 10_000;

class GpuLost extends Error {}

export type Post = (m: FromOmniglotWorker, transfer?: Transferable[]) => void;

export interface OmniglotLab {
  handle(msg: ToOmniglotWorker): Promise<void>;
}

export interface OmniglotLabOptions {
  /** Makes one gradient worker (gradient.worker.ts); without it meta-training runs on the lab's thread alone. */
  spawnGradientWorker?: () => Worker;
}

export function createOmniglotLab(post: Post, options: OmniglotLabOptions = {}): OmniglotLab {
  let baseUrl = './';
  let ds: OmniglotDataset | null = null;
  let gemm: Gemm = defaultGemm();
  let learner: ConvMetaLearner | null = null;
  let source: ModelSource = 'shipped';
  let sourceNote = '';
  let curves: OmniglotCurvePoint[] = [];
  let events: SettingsEvent[] = [];
  let savedAt: string | null = null;
  let running = false;
  let target = 0;
  let episode: EpisodeRequest | null = null;
  /** The held-out evaluation in progress: the model's, and the pretrained baseline's on the same episodes when asked for. */
  let evaluation: {
    run: IncrementalEvaluation;
    base?: IncrementalEvaluation;
    iteration: number;
    chosen: typeof EVALUATION_SETTINGS;
  } | null = null;
  const evaluating = () => !!evaluation && !(evaluation.run.finished && (!evaluation.base || evaluation.base.finished));
  let loopActive = false;
  /** The gradient workers meta-training on the CPU splits each batch over (null: this thread alone). */
  let pool: GradientPool | null = null;
  /** The GPU engine (WGSL kernels or the batched tensor kernel) and its backend, when meta-training runs there. */
  let gpuEngine: GpuMetaGradient | null = null;
  let trainBackend: string | null = null;
  /** Resolves (with why) if the WebGPU device meta-training runs on is lost. */
  let gpuLost: Promise<string> | null = null;
  let lastSave = 0;
  let lastEpisode = 0;
  let lastProgress = 0;
  const rate = new RateMeter(2000);
  /** WebGPU compute dispatches of the last meta-iteration on the GPU (dispatchCounter.ts). */
  let dispatches: number | null = null;
  /** Trained since the last save or load. */
  let dirty = false;
  /** Set by cancelBatch (a message that acts at once), read by the batch run between images. */
  let batchCancelled = false;
  const store = omniglotStore((message) => post({ type: 'storage', message }));

  async function loadShipped(): Promise<{
    config: OmniglotConfig;
    state: LearnerState;
    curves: OmniglotCurvePoint[];
    events: SettingsEvent[];
  } | null> {
    try {
      const dir = `${baseUrl}models/omniglot/`;
      const manifest = await fetchOk(`${dir}manifest.json`).then((r) => r.json());
      const weights = await fetchBytes(`${dir}${manifest.weightsManifest?.[0]?.paths?.[0] ?? 'weights.bin'}`, (loaded, total) =>
        post({ type: 'loading', what: 'the meta-trained model', loaded, total }),
      );
      const ck = decodeCheckpoint(manifest, weights);
      if (ck.manifest.experiment !== 'omniglot') throw new Error('not an Omniglot checkpoint');
      let log: OmniglotCurvePoint[] = [];
      let logEvents: SettingsEvent[] = [];
      try {
        const text = await fetchOk(`${dir}train-log.jsonl`).then((r) => r.text());
        // Curve points, and the settings changes the log records.
        const records = text
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
        log = records.filter((r) => !r.event) as OmniglotCurvePoint[];
        logEvents = records.filter((r) => r.event === 'settings').map((r) => ({ iteration: r.iteration, changed: r.changed }));
      } catch {
        /* the curve history is optional */
      }
      // Stroke re-rendering needs the official strokes files, which only Node's meta-training reads: the page trains without it.
      const { strokes: _strokes, ...config } = ck.manifest.config as OmniglotConfig;
      return { config, state: ck.learners.maml, curves: log, events: logEvents };
    } catch (e) {
      post({ type: 'status', message: `No meta-trained Omniglot model could be loaded (${(e as Error).message}); starting from scratch.` });
      return null;
    }
  }

  const ownImages = (): OwnImagesContext => ({ baseUrl, gemm, learner: learner!, post, fetchOk });

  function announceModel() {
    post({ type: 'model', iteration: learner!.iteration, source, sourceNote, config: learner!.config, curves, events, savedAt });
  }

  async function useShippedOrScratch() {
    const shipped = await loadShipped();
    if (shipped) {
      learner = new ConvMetaLearner(shipped.config, gemm);
      await learner.restore(shipped.state);
      curves = shipped.curves;
      events = shipped.events;
      source = 'shipped';
      sourceNote = `meta-trained checkpoint, ${learner.iteration} iterations`;
    } else {
      learner = new ConvMetaLearner(DEFAULT_OMNIGLOT_CONFIG, gemm);
      curves = [];
      events = [];
      source = 'scratch';
      sourceNote = 'random initialisation';
    }
    savedAt = null;
    target = Math.max(target, learner.iteration);
  }

  /** Whether a WebGL context renders in software (SwiftShader, llvmpipe): slower than the wasm kernel. */
  function webglRenderer(): string {
    try {
      const gl = new OffscreenCanvas(1, 1).getContext('webgl2') as WebGL2RenderingContext | null;
      if (!gl) return '';
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    } catch {
      return '';
    }
  }

  /** Seconds per task of a meta-gradient on the current engine, after a warm-up call. */
  async function probe(run: () => Promise<unknown>): Promise<number> {
    await run();
    const t0 = performance.now();
    await run();
    return (performance.now() - t0) / 1000;
  }

  /**
   * Picks where meta-training runs: a GPU backend (GpuMetaGradient: the WGSL kernels or the batched tensor kernel), or the
   * fused kernel on wasm. Automatic mode calibrates a hardware GPU against wasm on a few
   * tasks; a software adapter (SwiftShader) is skipped, being the slowest here.
   */
  async function chooseTrainingEngine(requested: string): Promise<{ backend: string; reason: string }> {
    const fusedReason =
      "The Omniglot kernel is hand-derived for exact second-order meta-gradients; its matrix products run on the project's own WebAssembly SIMD kernel: the whole meta-iteration about 14x faster here than plain JavaScript, 2.3x faster than on tfjs-wasm.";
    const gpuNames = ['webgpu', 'webgl'] as const;
    const notes: string[] = [];
    const candidates = requested === 'auto' ? gpuNames : gpuNames.filter((n) => n === requested);
    for (const name of candidates) {
      const r = await activate(name);
      if (!r.available) {
        notes.push(`${name}: ${r.note}`);
        continue;
      }
      const software = name === 'webgpu' ? /fallback/.test(r.note) : /swiftshader|llvmpipe|software/i.test(webglRenderer());
      if (requested === 'auto' && software) {
        notes.push(`${name}: software renderer (${name === 'webgl' ? webglRenderer() : r.note}), slower than the wasm kernel`);
        continue;
      }
      if (requested !== 'auto') {
        gpuEngine = newGpuEngine(learner!.config.filters);
        trainBackend = name;
        await activate('wasm'); // views and evaluation: never dataSync on a GPU backend in a worker
        return {
          backend: name,
          reason: `requested with ?backend=${name}: meta-gradients on ${name} (${r.note}), ${gpuWhy(name)}; views and evaluation on the wasm kernel`,
        };
      }
      // Calibrate on 4 tasks of the current settings.
      const c = learner!.config;
      const small = trainingBatch(ds!, { way: c.way, shot: c.shot, queries: c.queries, rotations: true }, 4, 1, 0);
      const net = newGpuEngine(c.filters);
      const gpu = await probe(() => net.metaGradient(learner!.body, small, { alpha: c.alpha, steps: c.trainSteps }, c.algorithm));
      await activate('wasm');
      const grads = learner!.body.map((b) => new Float32Array(b.length));
      const cpu = await probe(async () =>
        metaGradient(learner!.net, learner!.body, small, { alpha: c.alpha, steps: c.trainSteps }, c.algorithm, grads),
      );
      if (gpu < cpu) {
        gpuEngine = net;
        trainBackend = name;
        return {
          backend: name,
          reason: `${name} (${r.note}, ${gpuWhy(name)}) computed 4 tasks in ${gpu.toFixed(2)} s against ${cpu.toFixed(2)} s for the wasm kernel; views and evaluation stay on wasm`,
        };
      }
      net.dispose();
      notes.push(`${name} measured slower (${gpu.toFixed(2)} s against ${cpu.toFixed(2)} s for 4 tasks)`);
    }
    await activate('wasm');
    return { backend: cpuBackend(), reason: fusedReason + (notes.length ? ` Not used: ${notes.join('; ')}.` : '') };
  }

  /** Where meta-training runs off the GPU: the fused kernel, on wasm's products or (without WebAssembly) JavaScript's. */
  const cpuBackend = () => (gemm === jsGemm ? 'cpu' : 'wasm');
  const cpuEngine = () => `fused conv kernel, matrix products on ${gemmLabel(gemm)}, ${convPassesLabel()}`;
  /** The GPU engine for this many filters on the active GPU backend (on WebGPU with its device, for the WGSL kernels). */
  const newGpuEngine = (filters: number) => new GpuMetaGradient(convShape(filters), webgpuDevice() as unknown as GPUDevice | null);
  const gpuWhy = (name: string) =>
    name === 'webgpu'
      ? `${WGSL_DISPATCHES} hand-written WGSL kernels per meta-iteration for one inner step of maml2 or maml1, the batched tensor kernel otherwise`
      : 'as one batched tensor computation';
  /** The engine the page was last told of, and why it was chosen. */
  let postedEngine = '';
  let engineReason = '';
  /** What computes the meta-gradients now, for the status line. */
  function engineName() {
    if (!trainBackend || !gpuEngine) return cpuEngine();
    const c = learner!.config;
    return gpuEngine.kernel({ alpha: c.alpha, steps: c.trainSteps }, c.algorithm); // the backend has its own field
  }

  /** Meta-training leaves a lost GPU for the wasm kernel; the page is told where and why. */
  function moveOffGpu(why: string) {
    const from = trainBackend;
    trainBackend = null;
    gpuEngine = null; // its buffers and tensors went with the device
    gpuLost = null;
    const at = learner!.iteration;
    post({
      type: 'engine',
      backend: cpuBackend(),
      engine: cpuEngine(),
      workers: pool?.size ?? 1,
      reason: `The ${from} device was lost (${why}); meta-training moved to the wasm kernel at meta-iteration ${at}.`,
    });
    post({ type: 'error', message: `The GPU was lost (${why}). Meta-training continues on the wasm kernel from meta-iteration ${at}.` });
  }

  /** The meta-training stream; with a pool, the next batch is drawn while the workers finish. */
  let batches: TrainingBatches | null = null;

  /** One meta-iteration split over the pool; a worker that fails leaves this thread to train alone, from the same batch. */
  async function stepOnPool(batch: EpisodeBatch) {
    const p = pool!;
    const c = learner!.config;
    const next = learner!.iteration + 1;
    try {
      return await learner!.stepParallel(
        batch,
        p.size,
        (share, body, helper) => p.request(helper, share, body, batch, c),
        () => batches!.drawAhead(c, next),
      );
    } catch (e) {
      if (pool !== p) throw e;
      p.dispose();
      pool = null;
      const message = `${(e as Error).message}. Meta-training continues on one thread from meta-iteration ${learner!.iteration}.`;
      post({ type: 'engine', backend: cpuBackend(), engine: cpuEngine(), workers: 1, reason: message });
      post({ type: 'error', message });
      return learner!.step(batch);
    }
  }

  /** The fused kernel (views, evaluation, CPU training) needs wasm active. */
  async function onWasm() {
    if (tf.getBackend() !== 'wasm' && gemm !== jsGemm) await tf.setBackend('wasm');
  }

  async function init(msg: Extract<ToOmniglotWorker, { type: 'init' }>) {
    baseUrl = msg.baseUrl;
    episode = msg.episode;
    post({ type: 'status', message: 'Starting the WebAssembly backend…' });
    const wasm = await activate('wasm');
    if (!wasm.available) {
      await activate('cpu');
      gemm = jsGemm;
    }
    post({ type: 'status', message: 'Loading the Omniglot images…' });
    ds = await loadDataset(baseUrl, (loaded, total) => post({ type: 'loading', what: 'the Omniglot drawings', loaded, total }));
    batches = new TrainingBatches(ds);
    post({ type: 'status', message: 'Loading the meta-trained model…' });
    const loaded = await store.load();
    if (loaded && 'problem' in loaded)
      post({ type: 'storage', message: `Your saved training could not be restored (${loaded.problem}); it was discarded.` });
    const saved = loaded && 'value' in loaded ? loaded.value : null;
    if (saved) {
      learner = new ConvMetaLearner(saved.config, gemm);
      await learner.restore(saved.learner);
      curves = saved.curves;
      events = saved.events ?? [];
      source = 'saved';
      savedAt = saved.savedAt;
      sourceNote = `your saved training, ${learner.iteration} iterations (${saved.savedAt})`;
    } else {
      await useShippedOrScratch();
    }
    target = learner!.iteration;
    post({ type: 'status', message: 'Choosing where to meta-train…' });
    const choice = await chooseTrainingEngine(msg.backend ?? 'auto');
    const backend = choice.backend;
    let reason =
      gemm === jsGemm ? `WebAssembly is unavailable (${wasm.note}), so the matrix products run in plain JavaScript (slow).` : choice.reason;
    const wanted = Math.min(MAX_WORKERS, msg.workers ?? defaultWorkers(self.navigator?.hardwareConcurrency));
    if (!trainBackend && options.spawnGradientWorker && wanted > 1) {
      post({ type: 'status', message: `Starting ${wanted - 1} gradient worker${wanted > 2 ? 's' : ''}…` });
      const started = await startGradientPool(wanted, options.spawnGradientWorker, gemm.name);
      if (started.pool.size > 1) pool = started.pool;
      else started.pool.dispose();
      reason += ` Each meta-batch is split over ${pool?.size ?? 1} thread${pool ? 's' : ''} (${msg.workers ? `?workers=${msg.workers}` : `${self.navigator?.hardwareConcurrency ?? '?'} cores, one left for the page`}), the task gradients added in task order, so the numbers equal one thread's.`;
      if (started.note) reason += ` ${started.note}.`;
    }
    const alphabets = ds.index.alphabets;
    post({
      type: 'ready',
      backend,
      engine: (postedEngine = engineName()),
      workers: pool?.size ?? 1,
      reason: (engineReason = reason),
      config: learner!.config,
      iteration: learner!.iteration,
      source,
      sourceNote,
      dataset: {
        alphabets: alphabets.length,
        characters: alphabets.reduce((n, a) => n + a.characters.length, 0),
        images: ds.index.images,
        trainAlphabets: alphabets.filter((a) => a.split === 'train').map((a) => a.name),
        testAlphabets: [...TEST_ALPHABETS],
      },
      curves,
      events,
      savedAt,
    });
    sendEpisode();
  }

  function sendEpisode() {
    if (!ds || !learner || !episode) return;
    const { way, shot, queries, serial } = episode;
    const batch = sampleEpisodes(
      ds,
      'test',
      { way, shot, queries, rotations: false },
      1,
      createRng(`episode-view/${serial}/${way}/${shot}/${queries}`),
    );
    const inner = innerFor(learner.config, way);
    const trace = adaptationTrace(learner.net, learner.body, episodeTask(batch, 0), inner);
    const view: EpisodeView = {
      request: episode,
      steps: inner.steps,
      alpha: inner.alpha,
      classes: batch.classes[0].map((c) => ({ alphabet: c.alphabet, character: c.character })),
      support: toInkBytes(batch.support),
      supportLabels: batch.supportLabels,
      query: toInkBytes(batch.query),
      queryLabels: batch.queryLabels,
      probs: trace.probs,
      accuracy: trace.accuracy,
      loss: trace.loss,
      supportLoss: trace.supportLoss,
      iteration: learner.iteration,
    };
    lastEpisode = performance.now();
    post({ type: 'episode', view }, [view.support.buffer, view.query.buffer]);
  }

  function sendProgress(force = false) {
    const now = performance.now();
    if (!force && now - lastProgress < 250) return;
    lastProgress = now;
    const it = learner!.iteration;
    post({
      type: 'progress',
      iteration: it,
      target,
      running,
      itersPerSec: running ? rate.read() : 0,
      ...(trainBackend === 'webgpu' && dispatches !== null && { dispatches }),
      points: pendingPoints.splice(0),
    });
  }

  const pendingPoints: OmniglotCurvePoint[] = [];

  async function persist() {
    if (!learner) return;
    dirty = false;
    lastSave = performance.now();
    const at = new Date().toISOString();
    if (!(await store.save({ version: 1, config: learner.config, learner: await learner.state(), curves, events, savedAt: at }))) return;
    savedAt = at;
    source = 'saved';
    sourceNote = `your saved training, ${learner.iteration} iterations`;
    post({ type: 'saved', at, iteration: learner.iteration });
  }

  function sendEvaluation() {
    if (!evaluation) return;
    const base = evaluation.base?.results();
    const { chosen } = evaluation;
    const rows = evaluation.run.results().map((r, i) => ({
      way: r.way,
      shot: r.shot,
      episodes: r.episodes,
      done: r.done,
      accuracy: r.accuracy,
      ci95: r.ci95,
      paper: chosen[i].paper,
      alphabet: r.alphabet,
      ...(base && { pretrained: { done: base[i].done, accuracy: base[i].accuracy, ci95: base[i].ci95 } }),
    }));
    post({ type: 'evaluation', rows, running: evaluating(), iteration: evaluation.iteration });
  }

  /** Training steps, evaluation chunks and view refreshes, in slices of about 50 ms. */
  async function loop() {
    if (loopActive) return;
    loopActive = true;
    try {
      while ((running && learner!.iteration < target) || evaluating()) {
        const t0 = performance.now();
        if (running && learner!.iteration < target) {
          const c = learner!.config;
          const batch = batches!.at(c, learner!.iteration);
          let r;
          if (trainBackend) {
            await tf.setBackend(trainBackend);
            if (gpuEngine && gpuEngine.shape.filters !== c.filters) {
              gpuEngine.dispose();
              gpuEngine = null;
            }
            // Made with the GPU backend active: tensors made on wasm would have to move across.
            const net = (gpuEngine ??= newGpuEngine(c.filters));
            if (trainBackend === 'webgpu') gpuLost ??= deviceLost();
            const lost = gpuLost ?? new Promise<string>(() => {});
            // The blocks and Adam live on the CPU: a lost device leaves them at the last completed
            // meta-iteration, and this batch is taken again on the wasm kernel.
            const d0 = dispatchCount();
            r = await learner!
              .stepWith((body) =>
                Promise.race([
                  net.metaGradient(body, batch, { alpha: c.alpha, steps: c.trainSteps }, c.algorithm),
                  lost.then((why) => Promise.reject(new GpuLost(why))),
                ]),
              )
              .catch(async (e) => {
                // A read on a lost device fails before the device reports its loss.
                const why = e instanceof GpuLost ? e.message : await lostWithin(lost, 2000);
                if (why === null) throw e;
                moveOffGpu(why);
                return null;
              });
            if (r) dispatches = dispatchCount() - d0;
            // New settings, or WGSL kernels this device could not run: the status line follows the kernel.
            if (trainBackend && engineName() !== postedEngine) {
              const reason = engineReason + (net.note ? ` Then ${net.note}.` : '');
              post({ type: 'engine', backend: trainBackend, engine: (postedEngine = engineName()), workers: 1, reason });
            }
            await onWasm();
            r ??= learner!.step(batch);
          } else {
            r = pool ? await stepOnPool(batch) : learner!.step(batch);
          }
          dirty = true;
          rate.add();
          const point = { iteration: learner!.iteration, ...r };
          curves.push(point);
          pendingPoints.push(point);
          sendProgress();
          if (performance.now() - lastEpisode > 4000) sendEpisode();
          if (performance.now() - lastSave > SAVE_EVERY_MS) await persist();
          if (learner!.iteration >= target) {
            running = false;
            await persist();
            sendEpisode();
            sendProgress(true);
          }
        }
        if (evaluation && evaluating()) {
          const budget = Math.max(20, 60 - (performance.now() - t0));
          if (!evaluation.run.finished) evaluation.run.advance(budget);
          else evaluation.base!.advance(budget);
          sendEvaluation();
        }
        await yieldToEvents();
      }
    } catch (e) {
      running = false;
      post({ type: 'error', message: (e as Error).message });
    } finally {
      loopActive = false;
      sendProgress(true);
    }
  }

  /** Settings from the page are checked against the lab's table before anything changes. */
  function checkConfig(config: OmniglotConfig) {
    const bad = checkSettings(OMNIGLOT_SETTINGS, config);
    if (bad) throw new Error(`Settings refused: ${bad}`);
  }

  /** The model training here as files: the checkpoint (Adam's state too, so training can continue elsewhere) or safetensors. */
  async function exportModel(format: 'tfjs' | 'safetensors'): Promise<Extract<FromOmniglotWorker, { type: 'modelFiles' }>> {
    const l = learner!;
    const c = l.config;
    const state = await l.state();
    const name = `maml-omniglot-${l.iteration}`;
    if (format === 'safetensors') {
      const bytes = encodeSafetensors(
        conv4ToTorch(state.theta, c.filters),
        conv4Metadata(
          c.filters,
          { alpha: c.alpha, way: c.way, trainSteps: c.trainSteps, testSteps: c.testSteps },
          { experiment: 'omniglot', learner: 'maml', algorithm: c.algorithm, iteration: String(l.iteration) },
        ),
      );
      return {
        type: 'modelFiles',
        files: [{ name: `${name}.safetensors`, data: bytes.buffer as ArrayBuffer, type: 'application/octet-stream' }],
        note: 'the meta-learned blocks under PyTorch names, docs/PYTORCH.md',
      };
    }
    const { manifest, weights } = await encodeCheckpoint(
      {
        experiment: 'omniglot',
        architecture: { kind: 'conv4', filters: c.filters, channels: 1, imageSize: 28, head: 'zero' },
        config: c,
        trainedOn: { backend: `browser-${trainBackend ?? gemm.name}`, seconds: 0, date: new Date().toISOString() },
        learners: { maml: { ...state, algorithm: c.algorithm } },
      },
      `${name}.weights.bin`,
    );
    return {
      type: 'modelFiles',
      files: checkpointDownload(name, manifest, weights),
      note: `tfjs weight format, ${l.iteration} iterations with Adam's state`,
    };
  }

  // Comparison of algorithms (issue 16, omniglotCompare.ts): on the CPU kernels, with normal training paused.
  const comparison = comparisonRunner({
    post,
    dataset: () => ds!,
    gemm: () => gemm,
    learner: () => learner!,
    check: checkConfig,
    async pauseTraining() {
      if (!running) return;
      running = false;
      if (dirty) await persist();
      sendProgress(true);
    },
    async onCpu() {
      // A GPU meta-iteration still in flight holds its backend; it hands back to wasm when done.
      while (trainBackend && tf.getBackend() === trainBackend) await new Promise((r) => setTimeout(r, 10));
      await onWasm();
    },
    gpu: () => trainBackend,
  });

  async function handle(msg: ToOmniglotWorker) {
    switch (msg.type) {
      case 'init':
        await init(msg);
        return;
      case 'play':
        comparison.stop(); // training and a comparison do not run together
        target = Math.max(msg.target, learner!.iteration + 1);
        running = true;
        rate.start(false);
        sendProgress(true);
        void loop();
        return;
      case 'pause':
        running = false;
        if (dirty) await persist();
        sendProgress(true);
        sendEpisode();
        return;
      case 'setTarget':
        target = msg.target;
        sendProgress(true);
        return;
      case 'episode':
        episode = msg.episode;
        sendEpisode();
        return;
      case 'save':
        await persist();
        return;
      case 'persist':
        if (dirty) await persist();
        return;
      case 'reset':
        running = false;
        evaluation = null;
        await store.clear();
        await useShippedOrScratch();
        dirty = false;
        target = learner!.iteration;
        announceModel();
        sendProgress(true);
        sendEpisode();
        return;
      case 'scratch':
        checkConfig(msg.config);
        running = false;
        evaluation = null;
        learner = new ConvMetaLearner(msg.config, gemm);
        dirty = false;
        curves = [];
        events = [];
        source = 'scratch';
        sourceNote = `random initialisation (${msg.config.filters} filters)`;
        target = 0;
        announceModel();
        sendProgress(true);
        sendEpisode();
        return;
      case 'exportModel': {
        const out = await exportModel(msg.format);
        post(
          out,
          out.files.map((f) => f.data),
        );
        return;
      }
      case 'importModel': {
        let imported;
        try {
          imported = readOmniglotModel(msg.upload, learner!.config, (c) => checkSettings(OMNIGLOT_SETTINGS, c));
        } catch (e) {
          post({ type: 'importResult', ok: false, message: `Import refused, nothing changed: ${(e as Error).message}` });
          return;
        }
        running = false;
        evaluation = null;
        learner = new ConvMetaLearner(imported.config, gemm);
        await learner.restore(imported.state);
        curves = [];
        events = [];
        target = learner.iteration;
        await persist();
        source = 'imported';
        sourceNote = imported.note;
        announceModel();
        sendProgress(true);
        sendEpisode();
        post({ type: 'importResult', ok: true, message: `Imported ${msg.upload.name}: ${imported.note}; saved in this browser.` });
        return;
      }
      case 'setConfig':
        checkConfig(msg.config);
        if (msg.config.filters !== learner!.config.filters) {
          post({ type: 'error', message: 'A different number of filters is a new network: use "Train from scratch".' });
          return;
        }
        {
          const before = learner!.config as unknown as Record<string, unknown>;
          const changed = Object.fromEntries(Object.entries(msg.config).filter(([k, v]) => before[k] !== v));
          if (Object.keys(changed).length) events = [...events, { iteration: learner!.iteration, changed }];
        }
        learner!.setConfig(msg.config);
        announceModel();
        sendEpisode();
        return;
      case 'evaluate': {
        const body = learner!.body.map((b) => b.slice()); // the model as it is now
        const chosen = EVALUATION_SETTINGS.filter(
          (s) => !msg.settings || msg.settings.some((m) => m.way === s.way && m.shot === s.shot && !m.alphabet === !s.alphabet),
        );
        const settings = chosen.map((s) => ({
          way: s.way,
          shot: s.shot,
          queries: EVALUATION_QUERIES,
          episodes: msg.episodes,
          inner: innerFor(learner!.config, s.way),
          seed: EVALUATION_SEED,
          alphabet: s.alphabet,
        }));
        evaluation = { run: new IncrementalEvaluation(learner!.net, body, ds!, settings), iteration: learner!.iteration, chosen };
        if (msg.pretrained) {
          const base = await loadPretrained(ownImages());
          if ('learner' in base) {
            const b = base.learner;
            // The same adaptation budget: the model's number of steps, at the baseline's own (scaled) inner rate.
            const baseSettings = settings.map((s) => ({ ...s, inner: { alpha: innerFor(b.config, s.way).alpha, steps: s.inner.steps } }));
            evaluation.base = new IncrementalEvaluation(b.net, b.body, ds!, baseSettings);
          } else post({ type: 'status', message: `The pretrained baseline is not evaluated: ${base.unavailable}.` });
        }
        sendEvaluation();
        void loop();
        return;
      }
      case 'preprocess': {
        try {
          const pixels = msg.file
            ? await preprocessFile(msg.name, msg.file)
            : preprocessRgba(msg.rgba!.data, msg.rgba!.width, msg.rgba!.height).pixels;
          post({ type: 'preprocessed', id: msg.id, name: msg.name, pixels });
        } catch (e) {
          post({ type: 'preprocessed', id: msg.id, name: msg.name, error: (e as Error).message });
        }
        return;
      }
      case 'exampleSet': {
        const b = sampleEpisodes(
          ds!,
          'test',
          { way: msg.way, shot: 1, queries: 2, rotations: false },
          1,
          createRng(`example-set/${msg.seed}`),
        );
        const img = (a: Float32Array, i: number) => a.slice(i * 784, (i + 1) * 784);
        post({
          type: 'exampleSet',
          classes: b.classes[0].map((c, k) => ({
            name: `${c.alphabet.replace(/_/g, ' ')} ${c.character.replace('character', '#')}`,
            examples: [img(b.support, k)],
          })),
          queries: Array.from(b.queryLabels, (_, q) => ({ name: `example query ${q + 1}`, pixels: img(b.query, q) })),
        });
        return;
      }
      case 'classify': {
        await onWasm();
        await classifyOwn(ownImages(), msg);
        return;
      }
      case 'exportClassifier': {
        const out = await exportClassifier(msg);
        post(out, out.type === 'classifierExport' && out.zip ? [out.zip] : []);
        return;
      }
      case 'batchClassify': {
        await onWasm();
        batchCancelled = false;
        await batchClassify({ ...ownImages(), cancelled: () => batchCancelled }, msg);
        return;
      }
      case 'loseDevice': {
        if (trainBackend !== 'webgpu') throw new Error('meta-training does not run on WebGPU here: there is no device to lose');
        await tf.setBackend('webgpu');
        webgpuDevice()?.destroy();
        await onWasm();
        return;
      }
      case 'confusion': {
        await onWasm();
        const { type: _, ...request } = msg;
        const view = confusionEpisode(ds!, learner!, request);
        post({ type: 'confusion', view }, [view.support.buffer, view.query.buffer]);
        return;
      }
      case 'cancelBatch':
        batchCancelled = true;
        return;
      case 'stopEvaluation':
        evaluation = null;
        post({ type: 'evaluation', rows: [], running: false, iteration: learner!.iteration });
        return;
      case 'compare':
        await comparison.start(msg);
        return;
      case 'stopCompare':
        comparison.stop();
        return;
    }
  }

  return { handle };
}
