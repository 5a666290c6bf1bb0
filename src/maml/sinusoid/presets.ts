/**
 * Ready-made lessons: settings (and, for some, methods to compare) that each show one
 * thing. `scripts/check-presets.ts` runs each on the learning core and checks it does
 * what its description says.
 */
import { PAPER_SINUSOID_CONFIG, type SinusoidConfig } from './config';
import type { MethodSpec } from './views';

export interface Preset {
  id: string;
  label: string;
  /** What to look for, shown when the preset is chosen. */
  note: string;
  config: SinusoidConfig;
  compare?: MethodSpec[];
}

const paper = PAPER_SINUSOID_CONFIG;

export const PRESETS: readonly Preset[] = [
  {
    id: 'paper',
    label: 'Paper settings',
    note: 'The paper’s settings (section 5.1): α = 0.01, one inner step in training, meta-batch 25, K = 10, Adam β = 0.001.',
    config: paper,
  },
  {
    id: 'fast-demo',
    label: 'Fast demo',
    note: 'A larger meta learning rate and smaller meta-batches: within a minute the meta-learner’s adapted error (solid blue) drops well below the pretrained baseline’s (solid orange).',
    config: { ...paper, metaLr: 0.01, metaBatch: 10, alpha: 0.02 },
  },
  {
    id: 'first-vs-second-order',
    label: 'First-order vs second-order',
    note: 'Second-order MAML, first-order MAML (no Hessian term) and the pretrained baseline on the same stream of tasks: the two MAMLs end close together, far below the baseline.',
    config: { ...paper, metaLr: 0.01, metaBatch: 10, alpha: 0.02 },
    compare: [{ algorithm: 'maml2' }, { algorithm: 'maml1' }, { algorithm: 'pretrained' }],
  },
  {
    id: 'large-alpha',
    label: 'Too-large inner learning rate',
    note: 'α = 3 overshoots: one inner step throws the prediction far past the support points, the query loss explodes within a few meta-iterations and training stops with a divergence message. (Up to α ≈ 2 the run survives but learns nothing; try it.)',
    config: { ...paper, alpha: 3 },
  },
  {
    id: 'k1-vs-k10',
    label: 'K = 1 vs K = 10',
    note: 'The same algorithm meta-trained and adapted with one support point per task and with ten: one point cannot pin down amplitude and phase, ten can.',
    config: { ...paper, metaLr: 0.01, metaBatch: 10, alpha: 0.02 },
    compare: [{ algorithm: 'maml2', shots: 1 }, { algorithm: 'maml2' }],
  },
];

export type PresetId = string;
