/**
 * Reproduces the committed Omniglot models (public/models/omniglot and omniglot-pretrained) from the packed data
 * (public/data/omniglot.bin). Nothing runs it at install, start or test time: the models are
 * committed, and this is the documented way to make them again.
 *
 *   npm run build-models [-- --schedule full|short] [--fresh] [--optional]
 *
 * full (the default, the committed models; about 2 h 45 min on 2 cores): 64 filters, 7,000
 *   meta-iterations in six phases (scripts/lib/omniglotSchedules.ts) and 3,000 pretraining steps,
 *   from scratch; a stopped build resumes. The finished meta-learned model is written without
 *   Adam's moments, as shipped.
 * short (about 8 min): second-order MAML, 20-way 1-shot, meta-batch 8, α 1.6, 250
 *   meta-iterations on 2 processes, and the pretrained baseline, 400 steps.
 *
 * A model that has already reached its schedule is left alone unless --fresh is given (which
 * trains both from scratch, replacing them). With --optional a missing data pack is a warning.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Checkpoint } from '../src/maml/checkpoint';
import { dropOptimizerState, loadCheckpoint } from './load-checkpoint';
import { PACK_DIR } from './lib/omniglotData';
import { metaTrainOmniglot } from './lib/metaTrainOmniglot';
import type { OmniglotConfig } from '../src/maml/omniglot/config';
import { MODEL_DIRS, SCHEDULES, scheduleLength, type Schedule } from './lib/omniglotSchedules';
import { PRETRAIN_DEFAULTS, pretrainOmniglot } from './lib/pretrainOmniglot';
import { useBackend } from './node-backend';

/** The model at `dir`, or null where there is none (or it cannot be read: it is built again). */
function readModel(dir: string): Checkpoint | null {
  if (!existsSync(`${dir}/manifest.json`) || !existsSync(`${dir}/weights.bin`)) return null;
  try {
    return loadCheckpoint(dir);
  } catch {
    return null;
  }
}

/** Whether a model at `done` iterations with `config` was trained along `schedule` (its last phase's settings). */
function followsSchedule(config: OmniglotConfig, done: number, schedule: Schedule): boolean {
  const phase = schedule.maml.find((p) => done <= p.until) ?? schedule.maml[schedule.maml.length - 1];
  return Object.entries(phase.settings).every(([k, v]) => config[k as keyof OmniglotConfig] === v);
}

const { values: args } = parseArgs({
  options: {
    schedule: { type: 'string', default: 'full' },
    fresh: { type: 'boolean', default: false },
    optional: { type: 'boolean', default: false },
  },
});
const name = args.schedule as keyof typeof SCHEDULES;
const schedule = SCHEDULES[name];
if (!schedule) {
  console.error(`build-models: --schedule must be full or short, not ${args.schedule}`);
  process.exit(2);
}
if (!existsSync(`${PACK_DIR}/omniglot.bin`)) {
  console.error(
    `build-models: ${PACK_DIR}/omniglot.bin is missing, so the Omniglot models cannot be built; run npm run pack-omniglot first.`,
  );
  process.exit(args.optional ? 0 : 1);
}

const mamlTarget = scheduleLength(schedule);
const maml = args.fresh ? null : readModel(MODEL_DIRS.maml);
const mamlDone = maml?.learners.maml?.iteration ?? 0;
// A baseline of another width (the 32-filter one, when building the 64-filter schedule) is trained again.
const pretrained = args.fresh ? null : readModel(MODEL_DIRS.pretrained);
const pretrainedDone =
  (pretrained?.manifest.config as OmniglotConfig | undefined)?.filters === schedule.filters
    ? (pretrained?.learners.pretrained?.iteration ?? 0)
    : 0;
if (mamlDone >= mamlTarget && pretrainedDone >= schedule.pretrainedSteps) {
  console.log(`build-models: the Omniglot models are built (meta-learned ${mamlDone} iterations, pretrained ${pretrainedDone} steps).`);
  process.exit(0);
}
await useBackend('wasm');
const started = performance.now();
if (mamlDone < mamlTarget) {
  console.log(
    `build-models: meta-training the Omniglot model (${name} schedule, ${mamlTarget} meta-iterations; progress below, it resumes if stopped)`,
  );
  // A model trained with other settings (the short schedule, when building the full one)
  // is not continued: the schedule starts afresh.
  let done = maml && followsSchedule(maml.manifest.config as OmniglotConfig, mamlDone, schedule) ? mamlDone : 0;
  for (const phase of schedule.maml) {
    if (done >= phase.until) continue;
    await metaTrainOmniglot({
      iterations: phase.until,
      out: MODEL_DIRS.maml,
      fresh: done === 0,
      saveEvery: 25,
      logEvery: 25,
      evalEvery: 250,
      evalEpisodes: 200,
      backend: 'wasm',
      // One process: on the 2-vCPU machine this was measured on, two processes share the cores'
      // SIMD units and memory, and a split meta-batch ran slower than one thread (docs/RESULTS.md).
      threads: 1,
      overrides: phase.settings,
    });
    done = phase.until;
  }
  // Shipped without Adam's moments (a third of the bytes); training it further starts Adam over.
  await dropOptimizerState(MODEL_DIRS.maml);
}
if (pretrainedDone < schedule.pretrainedSteps) {
  console.log(`build-models: training the pretrained baseline (${schedule.pretrainedSteps} steps)`);
  await pretrainOmniglot({
    ...PRETRAIN_DEFAULTS,
    out: MODEL_DIRS.pretrained,
    iterations: schedule.pretrainedSteps,
    filters: schedule.filters,
    seed: 1,
    logEvery: 50,
    fresh: pretrainedDone === 0,
  });
}
console.log(`build-models: done in ${Math.round((performance.now() - started) / 1000)} s.`);
process.exit(0);
