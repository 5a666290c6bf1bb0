/**
 * The training worker: owns the tfjs backend and every tensor. A thin loop around the
 * learning core that answers the commands of protocol.ts and streams results at a
 * bounded rate (curves every slice, state at most 10 times a second, adaptation curves
 * about 4 times a second), so fast training never floods the page.
 */
import * as tf from '../maml/tf';
import { decodeCheckpoint } from '../maml/checkpoint';
import { batchTensors, sinusoidObjective, sizesOf, type SinusoidConfig } from '../maml/experiments/sinusoid';
import { MetaLearner } from '../maml/learner';
import { initMlpValues } from '../maml/models/mlp';
import { createRng } from '../maml/random';
import { sampleSinusoidBatch } from '../maml/tasks/sinusoid';
import { activate, chooseBackend } from './backends';
import type { FromWorker, ToWorker, TaskView } from './protocol';
import { SinusoidSession, diverged, measureRate } from './sinusoidSession';
import { TrajectoryView } from './trajectoryView';
import { yieldToEvents } from './yieldToEvents';

const SLICE_MS = 40;
const STATE_EVERY_MS = 100;
const ADAPT_EVERY_MS = 300;
const TRAJECTORY_EVERY_MS = 2000;
const OPTIMA_EVERY_MS = 5000;

let session: SinusoidSession | null = null;
let trajectory: TrajectoryView | null = null;
/** Whether the extra views (adaptation, trajectory) are computed while training. */
let views = true;
let lastTrajectory = 0;
let lastOptima = -Infinity;
let task: TaskView | null = null;
let running = false;
let looping = false;
let source = 'random initialisation';
let rate = { iterations: 0, since: performance.now(), value: 0 };
let lastState = 0;
let lastAdapt = 0;
let queue: Promise<unknown> = Promise.resolve();

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

function sendState(force = false) {
  const now = performance.now();
  if (!force && now - lastState < STATE_EVERY_MS) return;
  lastState = now;
  if (now - rate.since > 1000) {
    rate = { iterations: 0, since: now, value: (rate.iterations * 1000) / (now - rate.since) };
  }
  post({
    type: 'state',
    running,
    iteration: session?.iteration ?? 0,
    itersPerSec: running ? rate.value : 0,
    tensors: tf.memory().numTensors,
    source,
  });
}

async function sendAdaptation() {
  if (!session || !task) return;
  lastAdapt = performance.now();
  const t = task;
  const a = await session.adaptation(t);
  const transfer = Object.values(a.models).flatMap((m) => [m.curves.buffer, m.supportLoss.buffer, m.queryLoss.buffer, m.gradNorms.buffer, m.updateSize.buffer]);
  post({ type: 'adaptation', iteration: session.iteration, task: t, ...a }, [a.grid.buffer, ...transfer]);
}

async function sendTrajectory(refit: boolean) {
  if (!session || !trajectory) return;
  lastTrajectory = performance.now();
  if (refit && !trajectory.busy) {
    lastOptima = lastTrajectory;
    trajectory.startRefit(session, yieldToEvents);
  }
  post(await trajectory.compute(session));
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
      message: `Training diverged at meta-iteration ${bad.iteration} (query loss ${bad.post}). The learning rates are too large for this model: lower alpha or the meta learning rate, then reset.`,
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
  rate = { iterations: 0, since: performance.now(), value: rate.value };
  try {
    while (running && session) {
      const t0 = performance.now();
      while (running && performance.now() - t0 < SLICE_MS) {
        session.step();
        rate.iterations++;
      }
      if (!(await flushCurves())) break;
      if (views) {
        const now = performance.now();
        if (now - lastAdapt > ADAPT_EVERY_MS) await sendAdaptation();
        else if (now - lastTrajectory > TRAJECTORY_EVERY_MS) await sendTrajectory(now - lastOptima > OPTIMA_EVERY_MS);
        else await trajectory?.record(session);
      }
      sendState();
      await yieldToEvents();
    }
  } catch (e) {
    running = false;
    post({ type: 'error', message: `Training stopped: ${(e as Error).message}` });
  } finally {
    looping = false;
    sendState(true);
  }
}

function newSession(config: SinusoidConfig) {
  session?.dispose();
  trajectory?.dispose();
  session = new SinusoidSession(config);
  trajectory = new TrajectoryView(config.seed, config.shots);
  lastOptima = -Infinity;
  source = 'random initialisation';
}

async function handle(msg: ToWorker) {
  switch (msg.type) {
    case 'init': {
      task = msg.task;
      const choice = await chooseBackend(
        msg.backend,
        () => measureRate(msg.config),
        (backend) => post({ type: 'calibrating', backend }),
      );
      post({ type: 'backend', ...choice });
      newSession(msg.config);
      await sendAdaptation();
      await sendTrajectory(true);
      running = msg.autoplay;
      sendState(true);
      if (running) void loop();
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
      return;
    case 'step':
      if (!session || running) return;
      session.step();
      await flushCurves();
      await sendAdaptation();
      sendState(true);
      return;
    case 'reset':
      newSession(msg.config);
      await sendAdaptation();
      await sendTrajectory(true);
      sendState(true);
      return;
    case 'setConfig':
      if (!session) return;
      if (session.canApply(msg.config)) {
        const shotsChanged = msg.config.shots !== session.config.shots;
        session.apply(msg.config);
        if (shotsChanged) {
          trajectory?.dispose();
          trajectory = new TrajectoryView(msg.config.seed, msg.config.shots);
        }
      } else newSession(msg.config);
      await sendAdaptation();
      await sendTrajectory(true);
      sendState(true);
      return;
    case 'setViews':
      views = msg.views;
      return;
    case 'benchSession': {
      running = false;
      const r = await activate(msg.backend);
      if (!r.available) {
        post({ type: 'benchSessionResult', backend: msg.backend, views: msg.views, metaItersPerSec: 0, iterations: 0, note: r.note });
        return;
      }
      newSession(msg.config);
      views = msg.views;
      task = trajectory!.tasks[0];
      // Warm up (shader compilation, first uploads), then time the real loop.
      for (let i = 0; i < 3; i++) session!.step();
      await session!.flush();
      if (views) await sendTrajectory(true);
      const start = session!.iteration;
      const t0 = performance.now();
      running = true;
      void loop();
      await new Promise((r) => setTimeout(r, msg.seconds * 1000));
      running = false;
      while (looping) await new Promise((r) => setTimeout(r, 5));
      const n = session!.iteration - start;
      const seconds = (performance.now() - t0) / 1000;
      post({ type: 'benchSessionResult', backend: msg.backend, views: msg.views, metaItersPerSec: n / seconds, iterations: n, note: r.note });
      return;
    }
    case 'setTask':
      task = msg.task;
      await sendAdaptation();
      return;
    case 'loadCheckpoint': {
      const ck = decodeCheckpoint(msg.manifest, msg.weights);
      const config = ck.manifest.config;
      newSession(config);
      await session!.restore(ck.learners.maml ?? Object.values(ck.learners)[0], ck.learners.pretrained);
      source = `meta-trained checkpoint (${ck.learners.maml?.iteration ?? 0} iterations)`;
      post({ type: 'loaded', config, iteration: session!.iteration, note: source });
      await sendAdaptation();
      await sendTrajectory(true);
      sendState(true);
      return;
    }
    case 'bench': {
      running = false;
      const r = await activate(msg.backend);
      if (!r.available) {
        post({ type: 'benchResult', backend: msg.backend, algorithm: msg.algorithm, metaItersPerSec: 0, iterations: 0, note: r.note });
        return;
      }
      const c = msg.config;
      const learner = new MetaLearner(sinusoidObjective(c.hidden), initMlpValues(sizesOf(c.hidden), createRng(c.seed)), {
        algorithm: msg.algorithm,
        inner: { alpha: c.alpha, steps: c.trainSteps },
        metaLr: c.metaLr,
      });
      const run = async (n: number, from: number) => {
        for (let i = 0; i < n; i++) {
          const batch = batchTensors(sampleSinusoidBatch(createRng(`${c.seed}/batch/${from + i}`), c.metaBatch, c.shots));
          const { preLoss, postLoss } = learner.step(batch);
          tf.dispose([preLoss, Object.values(batch)]);
          if (i === n - 1) await postLoss.data();
          postLoss.dispose();
        }
      };
      await run(3, 0);
      const t0 = performance.now();
      await run(msg.iterations, 3);
      const seconds = (performance.now() - t0) / 1000;
      learner.dispose();
      post({ type: 'benchResult', backend: msg.backend, algorithm: msg.algorithm, metaItersPerSec: msg.iterations / seconds, iterations: msg.iterations, note: r.note });
      return;
    }
  }
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  // Pause and play act at once; everything else runs in order, between training slices.
  if (msg.type === 'pause' || msg.type === 'play') {
    void handle(msg);
    return;
  }
  queue = queue
    .then(() => handle(msg))
    .catch((err: Error) => {
      post({ type: 'error', message: err.message });
    });
};
