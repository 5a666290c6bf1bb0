/**
 * The RL lab as its worker runs it: loads the shipped policies (maml, pretrained) per task family, adapts all
 * three starting points (maml, pretrained, random initialisation) to a goal the page picks, and
 * continues meta-training the maml policy from the shipped checkpoint on request. Matrix products
 * run on tfjs-wasm (the default; ?backend=js keeps them in plain JavaScript). One meta-iteration at a
 * time, yielding to messages between them, so a click is answered within one iteration.
 * `createRlLab` makes one lab with all its state; rl.worker.ts serves it.
 */
import { activate } from './backends';
import { yieldToEvents } from './yieldToEvents';
import { decodeCheckpoint, encodeCheckpoint } from '../maml/checkpoint';
import { readRlPolicy } from '../maml/io/modelImport';
import { jsGemm, tfGemm, type Gemm } from '../maml/networks/gemm';
import { createRng } from '../maml/random';
import type { TaskFamily } from '../maml/rl/env';
import { randomInit } from '../maml/rl/evaluation';
import { adaptAndSample, RlLearner } from '../maml/rl/mamlRl';
import { GaussianMlp } from '../maml/networks/gaussianPolicy';
import { policySizes, type RlConfig, type RlMethod } from '../maml/rl/rlConfig';
import type { FromRlWorker, MethodAdaptation, RlCurvePoint, ToRlWorker } from './rlProtocol';
import { fetchOk } from './assets';
import { checkpointDownload } from './modelFiles';
import { rlStore } from './modelStore';
import type { LabStore } from './labStore';
import type { SavedRl } from './modelStore';

/** Goals per live training iteration in the page (the shipped runs used 10). */
const PAGE_META_BATCH = 4;
/** Continued training is saved in this browser at least this often (and on pause, on a hidden page, on leaving it). */
const SAVE_EVERY_MS = 10_000;
/** Rollouts drawn per method and phase. */
const DRAWN = 5;

interface FamilyModels {
  config: RlConfig;
  maml: RlLearner;
  pretrained: Float32Array[];
  pretrainedIteration: number;
  random: Float32Array[];
  curves: RlCurvePoint[];
  shippedIteration: number;
  restoredFrom?: string;
  /** Set when the meta-policy was imported from a file. */
  importedFrom?: string;
  store: LabStore<SavedRl>;
  /** The iteration saved last (or loaded). */
  savedIteration: number;
}

/** The page's messages, and the lab's own: one training step, queued behind whatever waits. */
export type RlLabMessage = ToRlWorker | { type: 'trainStep' };

export type Post = (m: FromRlWorker, transfer?: Transferable[]) => void;

export function createRlLab(post: Post, enqueue: (m: RlLabMessage) => void): { handle(m: RlLabMessage): Promise<void> } {
  let baseUrl = '';
  let gemm: Gemm = jsGemm;
  const models = new Map<TaskFamily, FamilyModels>();
  let training: TaskFamily | null = null;

  async function loadLearner(family: TaskFamily, method: 'maml' | 'pretrained') {
    const dir = `${baseUrl}models/rl/${family}/${method}/`;
    const manifest = await fetchOk(`${dir}manifest.json`)
      .then((r) => r.json())
      .catch((e) => {
        throw new Error(
          `The shipped ${method} policy for ${family} could not be read (${(e as Error).message}); run npm run meta-train -- --experiment rl --task ${family} --method ${method}`,
        );
      });
    const weights = await fetchOk(`${dir}${manifest.weightsManifest?.[0]?.paths?.[0] ?? 'weights.bin'}`).then((r) => r.arrayBuffer());
    const ck = decodeCheckpoint(manifest, weights);
    const st = ck.learners[method];
    if (!st) throw new Error(`${dir} holds no ${method} policy`);
    let curves: RlCurvePoint[] = [];
    try {
      const text = await fetchOk(`${dir}train-log.jsonl`).then((r) => r.text());
      curves = text
        .split('\n')
        .filter((l) => l.trim().startsWith('{'))
        .map((l) => JSON.parse(l))
        .map((r) => ({ iteration: r.iteration, returnBefore: r.returnBefore, returnAfter: r.returnAfter }));
    } catch {
      // The curve is optional.
    }
    // Only the iterations the checkpoint holds (a log can run ahead of the last save).
    curves = curves.filter((c) => c.iteration <= st.iteration);
    return { config: ck.manifest.config as RlConfig, state: st, curves };
  }

  const reportStorage = (message: string) => post({ type: 'storage', message });
  let lastSave = performance.now();

  function announce(family: TaskFamily, fm: FamilyModels) {
    post({
      type: 'model',
      family,
      iteration: fm.maml.iteration,
      curves: fm.curves,
      pretrainedIteration: fm.pretrainedIteration,
      shippedIteration: fm.shippedIteration,
      restoredFrom: fm.restoredFrom,
      importedFrom: fm.importedFrom,
    });
  }

  /** The family's policies: the shipped ones, with the maml policy's training continued in this browser when it was saved. */
  async function familyModels(family: TaskFamily): Promise<FamilyModels> {
    const have = models.get(family);
    if (have) return have;
    post({ type: 'status', message: `Loading the ${family} policies…` });
    const [m, p] = await Promise.all([loadLearner(family, 'maml'), loadLearner(family, 'pretrained')]);
    const config = { ...m.config, metaBatch: PAGE_META_BATCH };
    const maml = new RlLearner(config, 'maml', gemm);
    await maml.restore(m.state);
    const store = rlStore(family, reportStorage);
    const fm: FamilyModels = {
      config,
      maml,
      pretrained: p.state.theta,
      pretrainedIteration: p.state.iteration,
      random: randomInit(m.config),
      curves: m.curves,
      shippedIteration: m.state.iteration,
      store,
      savedIteration: m.state.iteration,
    };
    const saved = await store.load();
    if (saved && 'problem' in saved)
      reportStorage(`Your saved ${family} training could not be restored (${saved.problem}); it was discarded.`);
    if (saved && 'value' in saved) {
      try {
        await maml.restore(saved.value.learner);
        fm.curves = saved.value.curves;
        fm.restoredFrom = saved.value.savedAt;
        fm.savedIteration = maml.iteration;
      } catch (e) {
        await maml.restore(m.state);
        await store.clear();
        reportStorage(`Your saved ${family} training could not be restored (${(e as Error).message}); it was discarded.`);
      }
    }
    models.set(family, fm);
    announce(family, fm);
    post({ type: 'status', message: '' });
    return fm;
  }

  /** Saves each family's continued training when it has trained since its last save. */
  async function persist() {
    lastSave = performance.now();
    for (const [family, fm] of models) {
      if (fm.maml.iteration === fm.savedIteration) continue;
      fm.savedIteration = fm.maml.iteration;
      await fm.store.save({ version: 1, family, learner: await fm.maml.state(), curves: fm.curves, savedAt: new Date().toISOString() });
    }
  }

  async function adapt(family: TaskFamily, goal: [number, number], serial: number, steps = 1) {
    const fm = await familyModels(family);
    const t0 = performance.now();
    const policy = new GaussianMlp(policySizes(fm.config), gemm);
    const starts: [RlMethod, Float32Array[]][] = [
      ['maml', fm.maml.theta],
      ['pretrained', fm.pretrained],
      ['random', fm.random],
    ];
    const methods: MethodAdaptation[] = [];
    const transfer: Transferable[] = [];
    const take = (src: Float64Array | null, H: number, k: number) => {
      const a = Float32Array.from(src!.subarray(k * (H + 1) * 2, (k + 1) * (H + 1) * 2));
      transfer.push(a.buffer);
      return a;
    };
    for (const [method, theta] of starts) {
      // The same noise for every method: differences come from the starting points.
      const s = adaptAndSample(policy, theta, family, [goal], fm.config, createRng(`page/${serial}`), steps);
      const H = s.pre.horizon;
      const drawn = Array.from({ length: DRAWN }, (_, k) => k);
      methods.push({
        method,
        returnBefore: s.before[0],
        returnAfter: s.after[0],
        returnAfterEach: s.afterEach.map((a) => a[0]),
        before: drawn.map((k) => take(s.pre.path, H, k)),
        after: drawn.map((k) => take(s.post.path, H, k)),
        velocityBefore: s.pre.velocity ? drawn.map((k) => take(s.pre.velocity, H, k)) : undefined,
        velocityAfter: s.post.velocity ? drawn.map((k) => take(s.post.velocity, H, k)) : undefined,
      });
      await yieldToEvents();
    }
    post(
      {
        type: 'adaptation',
        view: {
          family,
          goal,
          serial,
          trajectories: fm.config.innerTrajectories,
          alpha: fm.config.alpha,
          steps,
          methods,
          iteration: fm.maml.iteration,
          seconds: (performance.now() - t0) / 1000,
        },
      },
      transfer,
    );
  }

  async function handle(m: RlLabMessage) {
    switch (m.type) {
      case 'init': {
        baseUrl = m.baseUrl;
        if (m.backend === 'js') {
          gemm = jsGemm;
          post({ type: 'ready', backend: 'js', note: 'matrix products in plain JavaScript (?backend=js)' });
        } else {
          const r = await activate('wasm');
          gemm = r.available ? tfGemm : jsGemm;
          post({
            type: 'ready',
            backend: r.available ? 'wasm' : 'js',
            note: r.available
              ? 'hand-written policy gradients; matrix products on tfjs-wasm'
              : `tfjs-wasm unavailable (${r.note}); plain JavaScript`,
          });
        }
        break;
      }
      case 'adapt':
        await adapt(m.family, m.goal, m.serial, Math.min(3, Math.max(1, Math.round(m.steps ?? 1))));
        break;
      case 'train':
        await familyModels(m.family);
        if (!training) enqueue({ type: 'trainStep' });
        training = m.family;
        break;
      case 'trainStep': {
        // One meta-iteration, then a yield, so a click waiting behind it is answered next.
        if (!training) break;
        const fm = models.get(training)!;
        let s;
        try {
          s = fm.maml.step();
        } catch (e) {
          training = null;
          throw e;
        }
        const point = { iteration: s.iteration, returnBefore: s.returnBefore, returnAfter: s.returnAfter };
        fm.curves.push(point);
        post({
          type: 'progress',
          family: training,
          running: true,
          iteration: s.iteration,
          points: [point],
          secondsPerIteration: s.seconds,
        });
        if (performance.now() - lastSave > SAVE_EVERY_MS) await persist();
        await yieldToEvents();
        if (training) enqueue({ type: 'trainStep' });
        break;
      }
      case 'pause':
        if (training) {
          const fm = models.get(training)!;
          post({ type: 'progress', family: training, running: false, iteration: fm.maml.iteration, points: [], secondsPerIteration: 0 });
        }
        training = null;
        await persist();
        break;
      case 'persist':
        await persist();
        break;
      case 'exportModel': {
        const fm = await familyModels(m.family);
        const name = `maml-rl-${m.family}-${fm.maml.iteration}`;
        const { manifest, weights } = await encodeCheckpoint(
          {
            experiment: 'rl',
            architecture: { kind: 'gaussianMlp', sizes: policySizes(fm.config), activation: 'relu' },
            config: fm.config,
            taskFamily: { name: m.family },
            trainedOn: { backend: `browser-${gemm === jsGemm ? 'js' : 'wasm'}`, seconds: 0, date: new Date().toISOString() },
            learners: { maml: { ...(await fm.maml.state()), algorithm: 'maml' } },
          },
          `${name}.weights.bin`,
        );
        const files = checkpointDownload(name, manifest, weights);
        post(
          { type: 'modelFiles', files, note: `the ${m.family} meta-policy, ${fm.maml.iteration} iterations with Adam's state` },
          files.map((f) => f.data),
        );
        break;
      }
      case 'importModel': {
        let imported;
        try {
          imported = readRlPolicy(m.upload);
        } catch (e) {
          post({ type: 'importResult', ok: false, message: `Import refused, nothing changed: ${(e as Error).message}` });
          break;
        }
        const family = imported.config.family;
        const fm = await familyModels(family);
        if (training === family) training = null;
        const config = { ...imported.config, metaBatch: PAGE_META_BATCH };
        const maml = new RlLearner(config, 'maml', gemm);
        await maml.restore(imported.state);
        Object.assign(fm, { config, maml, curves: [], restoredFrom: undefined, importedFrom: imported.note, savedIteration: -1 });
        await persist();
        announce(family, fm);
        post({
          type: 'importResult',
          ok: true,
          message: `Imported ${m.upload.name}: the ${family} meta-policy, ${imported.note}; saved in this browser.`,
          family,
        });
        break;
      }
      case 'reset': {
        if (training === m.family) training = null;
        const fm = models.get(m.family);
        models.delete(m.family);
        await fm?.store.clear();
        await familyModels(m.family);
        break;
      }
    }
  }

  return { handle };
}
