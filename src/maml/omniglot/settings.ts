/**
 * The Omniglot lab's settings tables: the meta-training settings a person can change and the
 * episode shown, with their limits, labels and URL names (src/app/omniglot/omniglotUrl.ts
 * puts them under `o.`).
 */
import { CONV_ALGORITHMS } from '../algorithm/algorithm';
import type { OmniglotConfig } from './config';
import { EPISODE_LIMITS } from './tasks';
import type { NumberSetting, SettingsTable } from '../settings/table';

const range = (s: NumberSetting) => `must be from ${s.min} to ${s.max}`;

type TrainingKey = 'way' | 'shot' | 'metaBatch' | 'alpha' | 'trainSteps' | 'testSteps' | 'metaLr' | 'filters';
const train = (key: TrainingKey, label: string, min: number, max: number, integer: boolean, hint: string): NumberSetting<TrainingKey> => ({
  type: 'number',
  key,
  url: `train.${key}`,
  label,
  min,
  max,
  integer,
  hint,
});

/** The meta-training settings of the settings panel. */
export const OMNIGLOT_SETTINGS: SettingsTable<OmniglotConfig> = {
  settings: [
    { type: 'choice', key: 'algorithm', label: 'Algorithm', options: CONV_ALGORITHMS },
    train('way', 'Training way N', 2, 20, true, 'classes per training episode'),
    train('shot', 'Training shot K', 1, 5, true, 'examples per class'),
    train('metaBatch', 'Meta-batch', 1, 64, true, 'paper: 32 (5-way), 16 (20-way)'),
    train('alpha', 'Inner learning rate α', 1e-4, 5, false, 'paper: 0.4 (5-way), 0.1 (20-way)'),
    train('trainSteps', 'Inner steps (training)', 1, 5, true, 'paper: 1 (5-way), 5 (20-way)'),
    train('testSteps', 'Inner steps (test)', 1, 10, true, 'paper: 3 (5-way), 5 (20-way)'),
    train('metaLr', 'Meta learning rate', 1e-6, 0.1, false, 'Adam, 0.001'),
    train('filters', 'Filters', 4, 64, true, 'a new network: train from scratch'),
  ],
  range,
};

/** The numeric training settings (the panel's fields). */
export const TRAINING_FIELDS = OMNIGLOT_SETTINGS.settings.filter((s): s is NumberSetting<TrainingKey> => s.type === 'number');

export interface EpisodeChoice {
  way: number;
  shot: number;
  /** The episode's number in the seeded stream of held-out episodes. */
  serial: number;
}

export const DEFAULT_EPISODE: EpisodeChoice = { way: 5, shot: 1, serial: 0 };

/** The episode on show. */
export const EPISODE_SETTINGS: SettingsTable<EpisodeChoice> = {
  settings: [
    { type: 'number', key: 'way', label: 'Way', min: EPISODE_LIMITS.way[0], max: EPISODE_LIMITS.way[1], integer: true },
    { type: 'number', key: 'shot', label: 'Shot', min: EPISODE_LIMITS.shot[0], max: EPISODE_LIMITS.shot[1], integer: true },
    { type: 'number', key: 'serial', url: 'episode', label: 'Episode', min: 0, max: 1_000_000_000, integer: true },
  ],
  range,
};
