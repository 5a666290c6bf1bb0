/**
 * The sinusoid lab as its worker runs it: owns the session, the trajectory view and every
 * tensor. Answers the commands of protocol.ts and streams results at a bounded rate
 * (curves every slice, state at most 10 times a second, adaptation curves about 4 times a
 * second), so fast training never floods the page. `createSinusoidLab` makes one lab with
 * all its state; maml.worker.ts serves it, the bench worker drives its own.
 */
import * as tf from '../maml/tf';
import { decodeCheckpoint, encodeCheckpoint } from '../maml/checkpoint';
import { readSinusoidModel } from '../maml/io/modelImport';
import { checkConfig } from '../maml/sinusoid/settings';
import { formatLoss } from '../maml/settings/numberText';
import { PAPER_SINUSOID_CONFIG, sizesOf, type SinusoidConfig } from '../maml/sinusoid/experiment';
import { PAPER_SINUSOID } from '../maml/sinusoid/tasks';
import { chooseBackend, deviceLost, fallBackFromGpu, webgpuDevice } from './backends';
import type {
  BackendChoice,
  BackendName,
  BackendReport,
  EngineChoice,
  EngineName,
  FromWorker,
  MethodSpec,
  ToWorker,
  TaskView,
} from './protocol';
import { SinusoidSession, diverged, measureRate } from '../maml/sinusoid/session';
import { TrajectoryView } from '../maml/sinusoid/trajectoryView';
import { defaultDenseEngine, fusedKernelLabel } from '../maml/sinusoid/fusedMaml';
import { RateMeter } from './rateMeter';
import { yieldToEvents } from './yieldToEvents';
import { sinusoidStore } from './modelStore';
import { sameSettings } from './labStore';
import type { LearnerState } from '../maml/checkpoint';

const SLICE_MS = 40;
const STATE_EVERY_MS = 100;
const ADAPT_EVERY_MS = 300;
const TRAJECTORY_EVERY_MS = 2000;
const OPTIMA_EVERY_MS = 5000;
/** Training is saved in this browser at least this often (and on pause, on a hidden page, on leaving it). */
const SAVE_EVERY_MS = 10_000;
/**
 * Time budgets for the trajectory views, as shares of the time since training (re)started:
 * drawing (projection and task paths, 3%) and fitting the task optima (4%) each wait when over
 * theirs, so together they take at most 7% from training.
 */
function budget(share: number) {
  return {
    spent: 0,
    since: performance.now(),
    reset() {
      this.spent = 0;
      this.since = performance.now();
    },
    over() {
      return this.spent > share * (performance.now() - this.since);
    },
  };
}
export type Post = (m: FromWorker, transfer?: Transferable[]) => void;

export interface SinusoidLab {
  handle(msg: ToWorker): Promise<void>;
  /** Resolves once the training loop has stopped (after a pause). */
  stopped(): Promise<void>;
}

export function createSinusoidLab(post: Post): SinusoidLab {
  const drawBudget = budget(0.03);
  const fitBudget = budget(0.04);
  /** The first fit, so the optima appear soon, may take up to 30%; it is not charged to later refits. */
  const firstFitBudget = budget(0.3);

  /** The optimum fit's yield: between chunks of fitting, let training run until the budget allows more. */
  let chunkStart = performance.now();
  async function budgetedPause() {
    const b = trajectory?.hasOptima ? fitBudget : firstFitBudget;
    b.spent += performance.now() - chunkStart;
    await yieldToEvents();
    while (running && b.over()) await new Promise((r) => setTimeout(r, 25));
    chunkStart = performance.now();
  }

  let session: SinusoidSession | null = null;
  let engine: EngineName = 'tfjs';
  let backendName: BackendName = 'cpu';
  /** Comparison mode's methods (empty: the single-method view). */
  let compare: MethodSpec[] = [];
  let trajectory: TrajectoryView | null = null;
  /** Whether the extra views (adaptation, trajectory) are computed while training. */
  let views = true;
  let lastTrajectory = 0;
  let lastOptima = -Infinity;
  let task: TaskView | null = null;
  let running = false;
  let looping = false;
  let source = 'random initialisation';
  const rate = new RateMeter(1000);
  /** Seconds spent training the current session, for an exported checkpoint's record. */
  let trainSeconds = 0;
  let lastState = 0;
  let lastAdapt = 0;
  const store = sinusoidStore((message) => post({ type: 'storage', message }));
  let lastSave = performance.now();
  /** The iteration saved last (-1: the session changed since, or nothing to keep). */
  let savedIteration = -1;
  /** The training loop's generation: a loop left behind by a lost GPU ends when it wakes, silently. */
  let generation = 0;
  /** On a GPU backend: the session's state after the last completed slice, to continue from if the device is lost. */
  let snapshot: { config: SinusoidConfig; maml: LearnerState; pretrained: LearnerState } | null = null;
  let backendReport: { chosen: BackendName; reason: string; candidates: BackendReport[] } | null = null;

  async function takeSnapshot() {
    if (!session || backendName !== 'webgpu') return;
    const s = session;
    const { maml, pretrained } = await s.learnerStates();
    snapshot = { config: s.config, maml, pretrained };
  }

  /** The WebGPU device is gone: move to the CPU and continue from the last completed slice. */
  async function onDeviceLost(reason: string) {
    const wasRunning = running;
    running = false;
    generation++;
    looping = false;
    const r = await fallBackFromGpu();
    const lostFrom = backendName;
    backendName = r.name;
    const snap = snapshot;
    const lostConfig = session?.config ?? PAPER_SINUSOID_CONFIG;
    // The old session's tensors lived on the lost device: dropped, not read.
    try {
      session?.dispose();
      trajectory?.dispose();
    } catch {
      /* its memory went with the device */
    }
    session = null;
    trajectory = null;
    let next: SinusoidSession | undefined;
    if (snap) {
      try {
        next = await restoredSession(snap.config, snap.maml, snap.pretrained);
      } catch {
        next = undefined;
      }
    }
    const config = snap?.config ?? lostConfig;
    newSession(config, next);
    snapshot = null;
    const at = session!.iteration;
    source = next ? `continued on ${r.name} from meta-iteration ${at} after the GPU was lost` : `random initialisation (the GPU was lost)`;
    const why = `the ${lostFrom} device was lost (${reason}); training moved to ${r.name} (${r.note})`;
    post({
      type: 'backend',
      chosen: r.name,
      reason: why,
      candidates: backendReport?.candidates ?? [r],
      engine,
      engineReason: engine === 'fused' ? `the fused kernel (${fusedKernelLabel()}), as before` : `tfjs on ${r.name}`,
      fusedKernel: fusedKernelLabel(),
    });
    post({ type: 'error', message: `The GPU was lost (${reason}). Training continues on ${r.name} from meta-iteration ${at}.` });
    await sendAdaptation();
    if (views) await sendTrajectory(true);
    running = wasRunning;
    sendState(true);
    if (running) void loop();
  }

  /** Saves the session when it has trained since the last save; a session at iteration 0 clears what was saved. */
  async function persist() {
    if (!session) return;
    lastSave = performance.now();
    if (session.iteration === savedIteration) return;
    savedIteration = session.iteration;
    if (session.iteration === 0) return store.clear();
    const learners = await session.learnerStates();
    const savedAt = new Date().toISOString();
    if (await store.save({ version: 1, config: session.config, compare, learners, trainSeconds, savedAt }))
      post({ type: 'saved', at: savedAt, iteration: learners.maml.iteration });
  }

  /** The session a restored state describes, checked off to the side (null when it does not fit). */
  async function restoredSession(config: SinusoidConfig, maml: LearnerState, pretrained?: LearnerState) {
    const next = new SinusoidSession(config, engine, compare);
    try {
      await next.restore(maml, pretrained);
      return next;
    } catch (e) {
      next.dispose();
      throw e;
    }
  }

  /** On start: the training saved in this browser, when it was made with the settings the page asks for. */
  async function restoreSaved(config: SinusoidConfig): Promise<boolean> {
    const loaded = await store.load();
    if (!loaded) return false;
    if ('problem' in loaded) {
      post({ type: 'storage', message: `Your saved training could not be restored (${loaded.problem}); it was discarded.` });
      return false;
    }
    const saved = loaded.value;
    if (!sameSettings(saved.config, config) || !sameSettings(saved.compare, compare)) return false;
    let next: SinusoidSession;
    try {
      next = await restoredSession(saved.config, saved.learners.maml, saved.learners.pretrained);
    } catch (e) {
      await store.clear();
      post({ type: 'storage', message: `Your saved training could not be restored (${(e as Error).message}); it was discarded.` });
      return false;
    }
    newSession(saved.config, next);
    trainSeconds = saved.trainSeconds;
    savedIteration = next.iteration;
    const at = new Date(saved.savedAt);
    source = `your training, restored from this browser (${next.iteration} iterations, saved ${Number.isNaN(at.getTime()) ? 'earlier' : at.toLocaleTimeString()})`;
    post({ type: 'loaded', config: saved.config, iteration: next.iteration, origin: 'saved', note: source });
    return true;
  }

  function sendState(force = false) {
    const now = performance.now();
    if (!force && now - lastState < STATE_EVERY_MS) return;
    lastState = now;
    post({
      type: 'state',
      running,
      iteration: session?.iteration ?? 0,
      itersPerSec: running ? rate.read() : 0,
      tensors: tf.memory().numTensors,
      source,
    });
  }

  async function sendAdaptation() {
    if (!session || !task) return;
    lastAdapt = performance.now();
    const t = task;
    const a = await session.adaptation(t);
    const transfer = [...Object.values(a.models), ...Object.values(a.extra ?? {})].flatMap((m) => [
      m.curves.buffer,
      m.supportLoss.buffer,
      m.queryLoss.buffer,
      m.gradNorms.buffer,
      m.updateSize.buffer,
    ]);
    post({ type: 'adaptation', iteration: session.iteration, task: t, ...a }, [a.grid.buffer, ...transfer]);
  }

  async function sendTrajectory(refit: boolean) {
    if (!session || !trajectory) return;
    const t0 = performance.now();
    lastTrajectory = t0;
    if (refit && !trajectory.busy) {
      lastOptima = t0;
      chunkStart = performance.now();
      trajectory.startRefit(session, budgetedPause);
    }
    post({ type: 'trajectory', ...(await trajectory.compute(session)) });
    drawBudget.spent += performance.now() - t0;
  }

  async function flushCurves(): Promise<boolean> {
    if (!session) return true;
    const points = await session.flush();
    if (!points.length) return true;
    post({ type: 'curves', points });
    const bad = points.find(diverged);
    if (bad) {
      running = false;
      post({
        type: 'diverged',
        iteration: bad.iteration,
        message: `Training diverged at meta-iteration ${bad.iteration} (query loss ${formatLoss(bad.post)}). The learning rates are too large for this model: lower alpha or the meta learning rate, then reset.`,
      });
      sendState(true);
      return false;
    }
    return true;
  }

  /** Trains in slices of SLICE_MS, reading results back once per slice, yielding to messages between. */
  async function loop() {
    if (looping) return;
    looping = true;
    const g = generation;
    rate.start(true);
    drawBudget.reset();
    fitBudget.reset();
    firstFitBudget.reset();
    try {
      while (running && session && g === generation) {
        const t0 = performance.now();
        while (running && performance.now() - t0 < SLICE_MS) {
          session.step();
          rate.add();
        }
        trainSeconds += (performance.now() - t0) / 1000;
        if (!(await flushCurves())) break;
        await takeSnapshot();
        // The adaptation panel always refreshes; the trajectory views only when `views` is on.
        const now = performance.now();
        if (now - lastAdapt > ADAPT_EVERY_MS) await sendAdaptation();
        else if (views && now - lastTrajectory > TRAJECTORY_EVERY_MS && !drawBudget.over())
          await sendTrajectory(now - lastOptima > OPTIMA_EVERY_MS);
        else if (views) await trajectory?.record(session);
        if (performance.now() - lastSave > SAVE_EVERY_MS) await persist();
        sendState();
        await yieldToEvents();
      }
    } catch (e) {
      if (g !== generation) return; // a loop on a lost GPU: its successor runs
      running = false;
      post({ type: 'error', message: `Training stopped: ${(e as Error).message}` });
    } finally {
      if (g === generation) {
        looping = false;
        sendState(true);
      }
    }
  }

  /**
   * The fused kernel (WebAssembly SIMD, or JavaScript without it) computes the same
   * meta-gradients on the CPU without tfjs's per-op overhead. In automatic mode it is
   * calibrated like a backend and used when it is faster; a backend requested with
   * ?backend= keeps tfjs unless ?engine=fused.
   */
  async function chooseEngine(
    requested: EngineChoice,
    backend: BackendChoice,
    config: SinusoidConfig,
    choice: { chosen: BackendName; candidates: BackendReport[] },
  ): Promise<{ engine: EngineName; reason: string }> {
    if (requested === 'tfjs') return { engine: 'tfjs', reason: 'tfjs requested with ?engine=tfjs' };
    if (requested === 'fused') return { engine: 'fused', reason: 'fused kernel requested with ?engine=fused' };
    if (backend !== 'auto') return { engine: 'tfjs', reason: `tfjs on the requested ${backend} backend` };
    post({ type: 'calibrating', backend: choice.chosen });
    const fused = await measureRate(config, 'fused');
    const tfjsRate = choice.candidates.find((c) => c.name === choice.chosen)?.metaItersPerSec ?? 0;
    return fused > tfjsRate
      ? {
          engine: 'fused',
          reason: `the fused kernel (${fusedKernelLabel()}) measured ${fused.toFixed(1)} it/s, faster than tfjs on ${choice.chosen} (${tfjsRate.toFixed(1)} it/s); tfjs on ${choice.chosen} draws the views`,
        }
      : {
          engine: 'tfjs',
          reason: `tfjs on ${choice.chosen} measured ${tfjsRate.toFixed(1)} it/s, faster than the fused kernel (${fusedKernelLabel()}, ${fused.toFixed(1)} it/s)`,
        };
  }

  /** Replaces the session with a fresh one (or with `prepared`, already restored from a checkpoint). */
  function newSession(config: SinusoidConfig, prepared?: SinusoidSession) {
    session?.dispose();
    trajectory?.dispose();
    session = prepared ?? new SinusoidSession(config, engine, compare);
    trajectory = new TrajectoryView(config.seed, config.shots);
    lastOptima = -Infinity;
    source = 'random initialisation';
    trainSeconds = 0;
    savedIteration = -1;
    snapshot = null;
    void takeSnapshot();
  }

  /** A message whose work was on a GPU lost meanwhile fails silently: the lab has moved on (onDeviceLost). */
  async function handle(msg: ToWorker) {
    const g = generation;
    try {
      await handleMessage(msg);
    } catch (e) {
      if (g === generation) throw e;
    }
  }

  async function handleMessage(msg: ToWorker) {
    switch (msg.type) {
      case 'init': {
        task = msg.task;
        compare = msg.compare;
        const choice = await chooseBackend(
          msg.backend,
          () => measureRate(msg.config),
          (backend) => post({ type: 'calibrating', backend }),
        );
        const picked = await chooseEngine(msg.engine, msg.backend, msg.config, choice);
        engine = picked.engine;
        backendName = choice.chosen;
        backendReport = choice;
        post({ type: 'backend', ...choice, engine, engineReason: picked.reason, fusedKernel: fusedKernelLabel() });
        if (webgpuDevice()) void deviceLost().then(onDeviceLost);
        views = msg.views ?? true;
        if (!(msg.restore && (await restoreSaved(msg.config)))) newSession(msg.config);
        await sendAdaptation();
        if (views) await sendTrajectory(true);
        running = msg.autoplay;
        sendState(true);
        await takeSnapshot();
        if (running) void loop();
        return;
      }
      case 'loseDevice': {
        const device = webgpuDevice();
        if (!device) throw new Error(`there is no WebGPU device to lose (the backend is ${backendName})`);
        device.destroy();
        return;
      }
      case 'play':
        running = true;
        sendState(true);
        void loop();
        return;
      case 'pause':
        running = false;
        sendState(true);
        await stopped();
        await sendAdaptation(); // the paused view shows the predictions of the last iteration, not of the last slice's refresh
        await persist();
        return;
      case 'persist':
        await persist();
        return;
      case 'step':
        if (!session || running) return;
        session.step();
        await flushCurves();
        await takeSnapshot();
        await sendAdaptation();
        sendState(true);
        return;
      case 'reset':
        newSession(msg.config);
        await persist(); // a fresh session: what was saved goes
        await sendAdaptation();
        await sendTrajectory(true);
        sendState(true);
        return;
      case 'setConfig':
        if (!session) return;
        if (session.canApply(msg.config)) {
          const shotsChanged = msg.config.shots !== session.config.shots;
          await session.apply(msg.config);
          if (shotsChanged) {
            trajectory?.dispose();
            trajectory = new TrajectoryView(msg.config.seed, msg.config.shots);
          }
        } else newSession(msg.config);
        await takeSnapshot();
        await sendAdaptation();
        await sendTrajectory(true);
        sendState(true);
        return;
      case 'setTask':
        task = msg.task;
        await sendAdaptation();
        return;
      case 'setCompare':
        compare = msg.compare;
        newSession(msg.config);
        await persist();
        await sendAdaptation();
        await sendTrajectory(true);
        sendState(true);
        return;
      case 'loadCheckpoint':
      case 'importCheckpoint': {
        let ck: ReturnType<typeof decodeCheckpoint>;
        let config: SinusoidConfig;
        try {
          ({ checkpoint: ck, config } = readSinusoidModel(
            { name: 'the checkpoint', manifest: msg.manifest, weights: msg.weights },
            checkConfig,
          ));
        } catch (e) {
          // Checked before anything changes: the running session is untouched.
          if (msg.type === 'importCheckpoint') post({ type: 'importRejected', message: (e as Error).message });
          else throw e;
          return;
        }
        // Restored off to the side: if the optimizer state does not fit, the running session stays.
        let next: SinusoidSession;
        try {
          next = await restoredSession(config, ck.learners.maml, ck.learners.pretrained);
        } catch (e) {
          const message = `Not a usable checkpoint: its optimizer state does not fit the model (${(e as Error).message})`;
          if (msg.type === 'importCheckpoint') post({ type: 'importRejected', message });
          else post({ type: 'error', message });
          return;
        }
        newSession(config, next);
        source =
          msg.type === 'importCheckpoint'
            ? `imported checkpoint (${ck.learners.maml.iteration} iterations)`
            : `meta-trained checkpoint (${ck.learners.maml.iteration} iterations)`;
        post({
          type: 'loaded',
          config,
          iteration: session!.iteration,
          origin: msg.type === 'importCheckpoint' ? 'imported' : 'shipped',
          note: source,
        });
        await persist();
        await takeSnapshot();
        await sendAdaptation();
        await sendTrajectory(true);
        sendState(true);
        return;
      }
      case 'exportCheckpoint': {
        if (!session) return;
        const s = session;
        const { manifest, weights } = await encodeCheckpoint(
          {
            experiment: 'sinusoid',
            architecture: { kind: 'mlp', sizes: sizesOf(s.config.hidden), activation: 'relu' },
            taskFamily: { name: 'sinusoid', ...PAPER_SINUSOID },
            config: s.config,
            trainedOn: {
              backend: `browser-${s.learnerEngine === 'fused' ? `fused-${defaultDenseEngine().name}` : backendName}`,
              seconds: Math.round(trainSeconds),
              date: new Date().toISOString(),
            },
            learners: await s.learnerStates(),
          },
          `maml-sinusoid-${s.iteration}.weights.bin`,
        );
        post({ type: 'exported', manifest, weights, iteration: s.iteration }, [weights]);
        return;
      }
    }
  }

  async function stopped() {
    while (looping) await new Promise((r) => setTimeout(r, 5));
  }

  return { handle, stopped };
}
