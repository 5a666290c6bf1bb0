/**
 * Omniglot meta-training from the command line (called by scripts/meta-train.ts):
 * seeded episode stream (seed, iteration), a checkpoint with Adam's state every
 * --save-every iterations, so a stopped run resumes where it left off; a short held-out
 * evaluation every --eval-every iterations goes into the training log.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeCheckpoint } from '../../src/maml/checkpoint';
import { loadCheckpoint, writeCheckpoint } from '../load-checkpoint';
import { evaluateOmniglot } from '../../src/maml/omniglot/experiment';
import { innerFor, DEFAULT_OMNIGLOT_CONFIG, type OmniglotConfig } from '../../src/maml/omniglot/config';
import { ConvMetaLearner } from '../../src/maml/omniglot/convLearner';
import type { ConvAlgorithm } from '../../src/maml/algorithm/algorithm';
import { defaultGemm } from '../../src/maml/networks/gemmSimd';
import { TrainingBatches } from '../../src/maml/omniglot/trainingBatches';
import { sliceBatch } from '../../src/maml/omniglot/dataParallel';
import { loadOmniglot } from './omniglotData';
import { loadStrokes } from './omniglotStrokes';
import { startGradientProcesses } from './gradientProcesses';

export interface OmniglotTrainArgs {
  iterations: number;
  out: string;
  fresh: boolean;
  saveEvery: number;
  logEvery: number;
  evalEvery: number;
  evalEpisodes: number;
  backend: string;
  /** Processes computing meta-gradients: this one and threads - 1 helpers, each a share of every meta-batch. */
  threads: number;
  overrides: Partial<OmniglotConfig>;
}

export async function metaTrainOmniglot(a: OmniglotTrainArgs) {
  const ds = loadOmniglot();
  mkdirSync(a.out, { recursive: true });
  const manifestPath = join(a.out, 'manifest.json');
  const logPath = join(a.out, 'train-log.jsonl');
  let config: OmniglotConfig = { ...DEFAULT_OMNIGLOT_CONFIG, ...a.overrides };
  let seconds = 0;
  let learner: ConvMetaLearner;
  let changed: Record<string, unknown>;
  if (!a.fresh && existsSync(manifestPath)) {
    const ck = loadCheckpoint(a.out);
    // The run's own settings win over the defaults; flags given now still apply.
    config = { ...(ck.manifest.config as OmniglotConfig), ...a.overrides };
    const before = ck.manifest.config as OmniglotConfig;
    learner = new ConvMetaLearner(config, defaultGemm());
    await learner.restore(ck.learners.maml);
    seconds = ck.manifest.trainedOn?.seconds ?? 0;
    changed = Object.fromEntries(Object.entries(a.overrides).filter(([k, v]) => before[k as keyof OmniglotConfig] !== v));
    console.log(`Resuming from iteration ${learner.iteration} (${manifestPath})`);
    // Log lines written after that checkpoint are redone by this run.
    if (existsSync(logPath)) {
      const kept = readFileSync(logPath, 'utf8')
        .split('\n')
        .filter((l) => l && JSON.parse(l).iteration <= learner.iteration);
      writeFileSync(logPath, kept.map((l) => l + '\n').join(''));
    }
    // Settings changed on resuming are part of the run's record.
    if (Object.keys(changed).length)
      appendFileSync(logPath, JSON.stringify({ iteration: learner.iteration, event: 'settings', changed }) + '\n');
  } else {
    learner = new ConvMetaLearner(config, defaultGemm());
    writeFileSync(logPath, '');
  }
  console.log(
    `Omniglot ${config.way}-way ${config.shot}-shot, ${config.algorithm}, ${config.filters} filters, meta-batch ${config.metaBatch}, alpha ${config.alpha} x ${config.trainSteps}, shift ${config.shift ?? 0}, affine ${config.affine ?? 0}, within ${config.within ?? 0}, strokes ${config.strokes ?? 0}, meta-lr ${config.metaLr}`,
  );

  const save = async () => {
    const { manifest, weights } = await encodeCheckpoint({
      experiment: 'omniglot',
      architecture: { kind: 'conv4', filters: config.filters, channels: 1, imageSize: 28, head: 'zero' },
      config,
      trainedOn: { backend: `node-${a.backend}`, seconds: Math.round(seconds), date: new Date().toISOString() },
      learners: { maml: { ...(await learner.state()), algorithm: config.algorithm } },
    });
    writeCheckpoint(a.out, { manifest, weights });
  };

  if ((config.strokes ?? 0) > 0) ds.strokes = loadStrokes(ds);
  const helpers = await startGradientProcesses(Math.min(a.threads, config.metaBatch) - 1);
  let w = { preLoss: 0, postLoss: 0, preAcc: 0, postAcc: 0, n: 0 };
  let last = performance.now();
  // With helpers, this process draws the next meta-batch while they finish their shares.
  const batches = new TrainingBatches(ds);
  while (learner.iteration < a.iterations) {
    const i = learner.iteration;
    const batch = batches.at(config, i);
    const r = helpers.count
      ? await learner.stepParallel(
          batch,
          helpers.count + 1,
          (share, body, h) => helpers.request(h, { type: 'grad', config, batch: sliceBatch(batch, share), body }),
          () => {
            if (i + 1 < a.iterations) batches.drawAhead(config, i + 1);
          },
        )
      : learner.step(batch);
    w = {
      preLoss: w.preLoss + r.preLoss,
      postLoss: w.postLoss + r.postLoss,
      preAcc: w.preAcc + r.preAccuracy,
      postAcc: w.postAcc + r.postAccuracy,
      n: w.n + 1,
    };
    const it = i + 1;
    if (it % a.logEvery === 0 || it === a.iterations) {
      const now = performance.now();
      seconds += (now - last) / 1000;
      const rate = w.n / ((now - last) / 1000);
      last = now;
      const rec: Record<string, number> = {
        iteration: it,
        preLoss: w.preLoss / w.n,
        postLoss: w.postLoss / w.n,
        preAccuracy: w.preAcc / w.n,
        postAccuracy: w.postAcc / w.n,
        itersPerSec: +rate.toFixed(3),
        seconds: Math.round(seconds),
      };
      if (a.evalEvery > 0 && (it % a.evalEvery === 0 || it === a.iterations)) {
        const t = performance.now();
        const e = evaluateOmniglot(learner.net, learner.body, ds, {
          way: 5,
          shot: 1,
          queries: 5,
          episodes: a.evalEpisodes,
          inner: innerFor(config, 5),
          seed: 12345,
        });
        rec.heldOut5way1shot = e.accuracy;
        last += performance.now() - t; // evaluation time is not training time
      }
      appendFileSync(logPath, JSON.stringify(rec) + '\n');
      console.log(
        `iteration ${it}/${a.iterations}  query acc before ${(100 * rec.preAccuracy).toFixed(1)}%  after ${(100 * rec.postAccuracy).toFixed(1)}%  loss ${rec.postLoss.toFixed(3)}` +
          (rec.heldOut5way1shot !== undefined ? `  held-out 5-way 1-shot ${(100 * rec.heldOut5way1shot).toFixed(1)}%` : '') +
          `  ${rate.toFixed(2)} it/s`,
      );
      w = { preLoss: 0, postLoss: 0, preAcc: 0, postAcc: 0, n: 0 };
    }
    if (it % a.saveEvery === 0 || it === a.iterations) await save();
  }
  helpers.close();
  console.log(`Checkpoint written to ${a.out} after ${Math.round(seconds)} s of training.`);
}

export function parseAlgorithm(s: string | undefined): ConvAlgorithm | undefined {
  if (s === undefined) return undefined;
  if (s !== 'maml2' && s !== 'maml1' && s !== 'reptile') throw new Error(`--algorithm must be maml2, maml1 or reptile for omniglot`);
  return s;
}
