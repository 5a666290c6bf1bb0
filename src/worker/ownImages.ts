/**
 * People's own images in the Omniglot worker: few-shot classification from the
 * meta-learned initialisation beside the pretrained baseline, a random initialisation and
 * nearest neighbour; and batch mode (a .zip or folder of class sub-folders, plus queries),
 * decoded here with limits so the page stays responsive.
 */
import { groupByClass, pathProblem, readZip, type ArchiveProblem, type NamedBytes } from '../classify/supportArchive';
import { decodeCheckpoint } from '../maml/checkpoint';
import { MAX_IMAGE_BYTES } from '../maml/omniglot/preprocess';
import { classifyFewShot, FEW_SHOT_LIMITS, nearestNeighbour, type LabelledImages } from '../maml/omniglot/fewShotClassify';
import { innerFor, type OmniglotConfig } from '../maml/omniglot/config';
import { ConvMetaLearner } from '../maml/omniglot/convLearner';
import type { Gemm } from '../maml/networks/gemm';
import { preprocessFile } from './decodeImage';
import { zipSync, strToU8 } from 'fflate';
import { exportLayersClassifier } from '../maml/io/layersClassifier';
import { conv4Metadata, conv4ToTorch } from '../maml/io/conv4Torch';
import { encodeSafetensors } from '../maml/io/safetensors';
import type { FewShotResult } from '../maml/omniglot/fewShotClassify';
import type { BaselineResult, FromOmniglotWorker, ToOmniglotWorker } from './omniglotProtocol';

export interface OwnImagesContext {
  baseUrl: string;
  gemm: Gemm;
  learner: ConvMetaLearner;
  post: (m: FromOmniglotWorker, transfer?: Transferable[]) => void;
  fetchOk: (url: string) => Promise<Response>;
  /** True once the user has cancelled the batch run in progress. */
  cancelled?: () => boolean;
}

let pretrained: Promise<{ learner: ConvMetaLearner } | { unavailable: string }> | null = null;
let random: ConvMetaLearner | null = null;

/** The shipped pretrained baseline (models/omniglot-pretrained/), loaded once. */
export function loadPretrained(ctx: OwnImagesContext) {
  pretrained ??= (async () => {
    try {
      const dir = `${ctx.baseUrl}models/omniglot-pretrained/`;
      const manifest = await ctx.fetchOk(`${dir}manifest.json`).then((r) => r.json());
      const weights = await ctx.fetchOk(`${dir}${manifest.weightsManifest?.[0]?.paths?.[0] ?? 'weights.bin'}`).then((r) => r.arrayBuffer());
      const ck = decodeCheckpoint(manifest, weights);
      const state = ck.learners.pretrained;
      if (ck.manifest.experiment !== 'omniglot' || !state) throw new Error('not a pretrained Omniglot checkpoint');
      const learner = new ConvMetaLearner(ck.manifest.config as OmniglotConfig, ctx.gemm);
      await learner.restore(state);
      return { learner };
    } catch (e) {
      return { unavailable: `no pretrained baseline could be loaded (${(e as Error).message})` };
    }
  })();
  return pretrained;
}

/** The meta-learned model and every baseline on one labelled set. */
export async function classifyAll(ctx: OwnImagesContext, data: LabelledImages, steps: number) {
  const way = data.classes.length;
  const meta = classifyFewShot(ctx.learner.net, ctx.learner.body, data, innerFor(ctx.learner.config, way, steps));
  const baselines: BaselineResult[] = [];
  const base = await loadPretrained(ctx);
  if ('learner' in base) {
    const r = classifyFewShot(base.learner.net, base.learner.body, data, innerFor(base.learner.config, way, steps));
    baselines.push({
      id: 'pretrained',
      name: 'pretrained baseline',
      predicted: r.predicted,
      probs: r.probs[r.probs.length - 1],
      supportLoss: r.supportLoss,
    });
  } else {
    baselines.push({ id: 'pretrained', name: 'pretrained baseline', unavailable: base.unavailable, predicted: [] });
  }
  random ??= new ConvMetaLearner({ ...ctx.learner.config, seed: 4242 }, ctx.gemm);
  const r = classifyFewShot(random.net, random.body, data, innerFor(ctx.learner.config, way, steps));
  baselines.push({
    id: 'random',
    name: 'random initialisation',
    predicted: r.predicted,
    probs: r.probs[r.probs.length - 1],
    supportLoss: r.supportLoss,
  });
  baselines.push({
    id: 'nearest',
    name: 'nearest neighbour (pixels)',
    predicted: nearestNeighbour(data).map((n) => ({ label: n.label, probability: NaN })),
  });
  return { meta, baselines };
}

/** The meta-learned model as the last Classify adapted it: what Export classifier writes. */
let lastClassifier: { adapted: FewShotResult['adapted']; filters: number; steps: number; alpha: number } | null = null;

export async function classifyOwn(ctx: OwnImagesContext, msg: Extract<ToOmniglotWorker, { type: 'classify' }>) {
  const { meta, baselines } = await classifyAll(ctx, { classes: msg.classes, queries: msg.queries }, msg.steps);
  const inner = innerFor(ctx.learner.config, msg.classes.length, msg.steps);
  lastClassifier = { adapted: meta.adapted, filters: ctx.learner.config.filters, steps: inner.steps, alpha: inner.alpha };
  ctx.post({ type: 'classified', probs: meta.probs, supportLoss: meta.supportLoss, predicted: meta.predicted, baselines });
}

/**
 * The last Classify's adapted classifier as one zip: a tfjs LayersModel (model.json,
 * model.weights.bin, metadata.json, as Teachable Machine exports) and the same weights as
 * PyTorch safetensors (docs/PYTORCH.md), batch norm frozen at the support set's statistics.
 */
export async function exportClassifier(msg: Extract<ToOmniglotWorker, { type: 'exportClassifier' }>): Promise<FromOmniglotWorker> {
  if (!lastClassifier)
    return { type: 'classifierExport', error: 'Classify first: the export is the classifier the last Classify adapted.' };
  const { adapted, filters, steps, alpha } = lastClassifier;
  if (msg.names.length !== adapted.head.way)
    return { type: 'classifierExport', error: `The last Classify had ${adapted.head.way} classes; classify again before exporting.` };
  try {
    const { modelJson, weightsBin, metadata } = await exportLayersClassifier({ filters, ...adapted, classNames: msg.names });
    const torch = encodeSafetensors(
      conv4ToTorch(adapted.theta, filters, {
        W: Float32Array.from(adapted.head.W),
        b: Float32Array.from(adapted.head.b),
        way: adapted.head.way,
      }),
      conv4Metadata(
        filters,
        { alpha, testSteps: steps },
        {
          labels: JSON.stringify(msg.names),
          batch_norm: 'the classifier uses batch statistics; see metadata.json for the support statistics the LayersModel freezes',
        },
      ),
    );
    const zip = zipSync({
      'model.json': strToU8(JSON.stringify(modelJson)),
      [modelJson.weightsManifest[0].paths[0]]: new Uint8Array(weightsBin),
      'metadata.json': strToU8(JSON.stringify(metadata, null, 1)),
      'model.safetensors': torch,
    });
    return { type: 'classifierExport', zip: zip.buffer as ArrayBuffer };
  } catch (e) {
    return { type: 'classifierExport', error: `The classifier could not be exported: ${(e as Error).message}` };
  }
}

/** A file's name without its folders, for naming it in the results (as npm run classify does). */
const nameIn = (path: string) => path.split('/').pop() ?? path;

class Cancelled extends Error {
  constructor(done: number, total: number) {
    super(`Cancelled after ${done} of ${total} images were read; nothing was classified.`);
  }
}

export async function batchClassify(ctx: OwnImagesContext, msg: Extract<ToOmniglotWorker, { type: 'batchClassify' }>) {
  try {
    await classifyBatch(ctx, msg);
  } catch (e) {
    // An unreadable archive, say: the message names it, shown beside batch mode.
    ctx.post({ type: 'batchResult', classes: [], rows: [], problems: [(e as Error).message], steps: msg.steps, seconds: 0 });
  }
}

async function classifyBatch(ctx: OwnImagesContext, msg: Extract<ToOmniglotWorker, { type: 'batchClassify' }>) {
  const t0 = performance.now();
  const problems: ArchiveProblem[] = [];
  let entries: NamedBytes[] = [];
  if (msg.zip) {
    const r = readZip(msg.zip.name, new Uint8Array(await msg.zip.arrayBuffer()));
    entries = r.entries;
    problems.push(...r.problems);
  }
  // A chosen folder's files: the same checks as a zip's entries (sizes before reading).
  for (const f of msg.support) {
    const why =
      pathProblem(f.path) ?? (f.file.size > MAX_IMAGE_BYTES ? `${(f.file.size / 1e6).toFixed(1)} MB is over the 20 MB limit` : null);
    if (why) problems.push({ path: f.path, reason: why });
    else entries.push({ path: f.path, bytes: new Uint8Array(await f.file.arrayBuffer()) });
  }
  const set = groupByClass(entries, problems);
  const queryFiles: { path: string; blob: Blob }[] = set.queries.map((q) => ({ path: q.path, blob: new Blob([q.bytes as BlobPart]) }));
  for (const f of msg.queries) {
    const why = pathProblem(f.path);
    if (why) problems.push({ path: f.path, reason: why });
    else queryFiles.push({ path: f.path, blob: f.file });
  }
  queryFiles.sort((a, b) => a.path.localeCompare(b.path));
  const report = () => problems.map((p) => `${p.path}: ${p.reason}`);
  const fail = (message: string) =>
    ctx.post({ type: 'batchResult', classes: [], rows: [], problems: [...report(), message], steps: msg.steps, seconds: 0 });
  if (set.classes.length < 2)
    return fail(
      `The support set needs at least 2 class folders; it has ${set.classes.length}. Put each class's examples in a folder named after the class.`,
    );
  if (set.classes.length > FEW_SHOT_LIMITS.classes.max)
    return fail(
      `The support set has ${set.classes.length} class folders; the model serves ${FEW_SHOT_LIMITS.classes.min} to ${FEW_SHOT_LIMITS.classes.max}.`,
    );
  if (!queryFiles.length)
    return fail('There are no query images: choose a folder of them, or put them in a "query" folder inside the zip.');

  const total = set.classes.reduce((a, c) => a + c.examples.length, 0) + queryFiles.length;
  let done = 0;
  let lastPost = 0;
  const decode = async (path: string, blob: Blob): Promise<Float32Array | null> => {
    if (ctx.cancelled?.()) throw new Cancelled(done, total);
    try {
      return await preprocessFile(path, blob);
    } catch (e) {
      const m = (e as Error).message;
      problems.push({ path, reason: m.startsWith(`${path}: `) ? m.slice(path.length + 2) : m });
      return null;
    } finally {
      done++;
      if (performance.now() - lastPost > 100 || done === total) {
        lastPost = performance.now();
        ctx.post({ type: 'batchProgress', done, total });
      }
    }
  };
  const classes: { name: string; pixels: Float32Array[] }[] = [];
  for (const c of set.classes) {
    const pixels: Float32Array[] = [];
    for (const e of c.examples) {
      const p = await decode(e.path, new Blob([e.bytes as BlobPart]));
      if (p) pixels.push(p);
    }
    const most = FEW_SHOT_LIMITS.examples.max;
    if (!pixels.length) problems.push({ path: `${c.name}/`, reason: 'class has no usable examples and is left out' });
    else if (pixels.length > most)
      problems.push({
        path: `${c.name}/`,
        reason: `class has ${pixels.length} examples, more than the ${most} the model takes, and is left out`,
      });
    else classes.push({ name: c.name, pixels });
  }
  const queries: { name: string; pixels: Float32Array }[] = [];
  for (const q of queryFiles) {
    const p = await decode(q.path, q.blob);
    if (p) queries.push({ name: nameIn(q.path), pixels: p });
  }
  if (classes.length < 2) return fail(`Fewer than 2 classes have usable examples.`);
  if (!queries.length) return fail('None of the query images could be read.');
  const data = { classes: classes.map((c) => c.pixels), queries: queries.map((q) => q.pixels) };
  const r = classifyFewShot(ctx.learner.net, ctx.learner.body, data, innerFor(ctx.learner.config, classes.length, msg.steps));
  ctx.post({
    type: 'batchResult',
    classes: classes.map((c) => ({ name: c.name, examples: c.pixels.length })),
    rows: queries.map((q, i) => ({ file: q.name, predicted: classes[r.predicted[i].label].name, probability: r.predicted[i].probability })),
    problems: report(),
    steps: msg.steps,
    seconds: (performance.now() - t0) / 1000,
  });
}
