/**
 * The one reader for models a user brings to a lab: the project's checkpoint (manifest.json
 * plus its weights, tfjs's weight format, as every lab exports) or, for the Omniglot conv-4
 * network, PyTorch-named safetensors (docs/PYTORCH.md). Everything is checked before anything
 * is used (format, experiment, architecture, shapes, finite values, settings, iterations), and
 * a refusal says what is wrong, so a lab changes nothing when a file is bad.
 */
import { CheckpointError, decodeCheckpoint, type Checkpoint, type LearnerState } from '../checkpoint';
import type { OmniglotConfig } from '../omniglot/config';
import { sizesOf, type SinusoidConfig } from '../sinusoid/experiment';
import { policySizes, TASK_FAMILIES, type RlConfig } from '../rl/rlConfig';
import { decodeSafetensors } from './safetensors';
import { conv4FromTorch, readConv4Settings } from './conv4Torch';

/** What the page read from the chosen files (sizes and JSON already checked there). */
export type ModelUpload = { name: string; manifest: unknown; weights: ArrayBuffer } | { name: string; safetensors: ArrayBuffer };

export class ModelImportError extends Error {}

const LAB = { sinusoid: 'a sinusoid', omniglot: 'an Omniglot', rl: 'an RL' } as const;

function refuse(why: string): never {
  throw new ModelImportError(why);
}

/** The checkpoint, decoded and checked, with the message of any problem as a refusal. */
function checkpointOf(up: Extract<ModelUpload, { manifest: unknown }>, experiment: Checkpoint['manifest']['experiment']): Checkpoint {
  let ck: Checkpoint;
  try {
    ck = decodeCheckpoint(up.manifest, up.weights);
  } catch (e) {
    if (e instanceof CheckpointError) refuse(e.message);
    throw e;
  }
  if (ck.manifest.experiment !== experiment) refuse(`${up.name} is ${LAB[ck.manifest.experiment]} model, not ${LAB[experiment]} one`);
  for (const [key, l] of Object.entries(ck.learners)) {
    if (!Number.isInteger(l.iteration) || l.iteration < 0 || l.iteration > 1e9)
      refuse(`Not a usable checkpoint: learner ${key} has iteration ${JSON.stringify(l.iteration)}`);
    if (l.optimizer?.some((o) => !o.values.every(Number.isFinite)))
      refuse(`Not a usable checkpoint: learner ${key}'s optimizer state holds non-finite values`);
  }
  return ck;
}

/**
 * A sinusoid checkpoint (both learners: the meta-learner and the pretrained baseline), its
 * settings checked by `check` (the lab's table) and its architecture against them.
 */
export function readSinusoidModel(
  up: Extract<ModelUpload, { manifest: unknown }>,
  check: (c: SinusoidConfig) => string | null,
): { checkpoint: Checkpoint; config: SinusoidConfig } {
  const ck = checkpointOf(up, 'sinusoid');
  const config = ck.manifest.config as SinusoidConfig;
  const bad = check(config);
  if (bad) refuse(`Not a usable checkpoint: its settings are invalid (${bad})`);
  const sizes = ck.manifest.architecture.kind === 'mlp' ? ck.manifest.architecture.sizes : [];
  if (sizes.join() !== sizesOf(config.hidden).join())
    refuse(`Not a usable checkpoint: the architecture [${sizes}] does not match its hidden layers [${config.hidden}]`);
  if (!ck.learners.maml) refuse('Not a usable checkpoint: it has no meta-learner ("maml")');
  return { checkpoint: ck, config };
}

export interface ImportedOmniglot {
  config: OmniglotConfig;
  state: LearnerState;
  /** How it is described in the status line. */
  note: string;
}

/**
 * An Omniglot meta-learned model: a checkpoint's "maml" learner with its settings and Adam's
 * state (training continues where it stopped), or a safetensors conv-4 body, whose settings
 * (alpha, way, steps) come from its metadata where it has them and from `current` otherwise.
 * `check` is the lab's settings check (the settings table), giving the problem or null.
 */
export function readOmniglotModel(up: ModelUpload, current: OmniglotConfig, check: (c: OmniglotConfig) => string | null): ImportedOmniglot {
  if ('safetensors' in up) {
    let read;
    try {
      const file = decodeSafetensors(new Uint8Array(up.safetensors));
      const model = conv4FromTorch(file.tensors);
      read = { file, model, settings: readConv4Settings(file.metadata, model.filters) };
    } catch (e) {
      refuse((e as Error).message);
    }
    const { file, model, settings } = read;
    const config: OmniglotConfig = {
      ...current,
      filters: model.filters,
      ...(settings.alpha !== undefined && { alpha: settings.alpha }),
      ...(settings.way !== undefined && { way: settings.way }),
      ...(settings.trainSteps !== undefined && { trainSteps: settings.trainSteps }),
      ...(settings.testSteps !== undefined && { testSteps: settings.testSteps }),
    };
    const bad = check(config);
    if (bad) refuse(`its settings are invalid (${bad})`);
    const it = Number(file.metadata.iteration);
    const iteration = Number.isInteger(it) && it >= 0 && it <= 1e9 ? it : 0;
    return {
      config,
      state: { theta: model.theta, iteration },
      note: `imported from ${up.name} (safetensors, ${model.filters} filters${iteration ? `, ${iteration} iterations` : ''}; Adam starts afresh)`,
    };
  }
  const ck = checkpointOf(up, 'omniglot');
  const state = ck.learners.maml ?? refuse(`${up.name} holds no meta-learned ("maml") model`);
  const config = ck.manifest.config as OmniglotConfig;
  const arch = ck.manifest.architecture;
  if (arch.kind !== 'conv4' || config?.filters !== arch.filters)
    refuse(`its settings say ${config?.filters} filters but the network has ${arch.kind === 'conv4' ? arch.filters : 'none'}`);
  const bad = check(config);
  if (bad) refuse(`its settings are invalid (${bad})`);
  return { config, state, note: `imported from ${up.name}, ${state.iteration} iterations` };
}

export interface ImportedPolicy {
  config: RlConfig;
  state: LearnerState;
  note: string;
}

/** An RL meta-policy: a checkpoint's "maml" learner for one task family, of the lab's policy architecture. */
export function readRlPolicy(up: ModelUpload, sizesFor: (c: RlConfig) => number[] = policySizes): ImportedPolicy {
  if ('safetensors' in up) refuse('an RL policy is imported as the lab exports it: the manifest (.json) and its weights (.bin)');
  const ck = checkpointOf(up, 'rl');
  const config = ck.manifest.config as RlConfig;
  if (!TASK_FAMILIES.includes(config?.family))
    refuse(`its task family ${JSON.stringify(config?.family)} is not one of ${TASK_FAMILIES.join(', ')}`);
  const state = ck.learners.maml ?? refuse(`${up.name} holds no meta-learned ("maml") policy`);
  const arch = ck.manifest.architecture;
  const sizes = arch.kind === 'gaussianMlp' ? arch.sizes : [];
  if (sizes.join() !== sizesFor(config).join())
    refuse(`the policy has layers [${sizes}], the lab's ${config.family} policy [${sizesFor(config)}]`);
  for (const key of ['alpha', 'metaLr', 'clip', 'gamma'] as const)
    if (!Number.isFinite(config[key]) || config[key] <= 0)
      refuse(`its setting ${key} is ${JSON.stringify(config[key])}, not a positive number`);
  return { config, state, note: `imported from ${up.name}, ${state.iteration} iterations` };
}
