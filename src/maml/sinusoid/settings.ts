/**
 * The sinusoid lab's settings table: every control's type, limits, label and hint, from
 * which the controls, the link (src/app/urlState.ts) and the worker's checkpoint check read.
 */
import { ALGORITHMS, type Algorithm } from '../algorithm/algorithm';
import type { SinusoidConfig } from './config';
import { isWholeText } from '../settings/numberText';
import { checkSettings, parseSetting, settingOf, type NumberSetting, type SettingsTable } from '../settings/table';

/** Hidden layer sizes as "40, 40": 1 to 4 layers of 1 to 256 units. */
export function parseHidden(text: string): { value?: number[]; error?: string } {
  const parts = text.split(/[\s,x×]+/).filter(Boolean);
  if (!parts.length) return { error: 'give 1 to 4 layer sizes, e.g. 40, 40' };
  if (parts.length > 4) return { error: 'at most 4 hidden layers' };
  const sizes = parts.map((p) => (isWholeText(p) ? Number(p) : NaN));
  if (sizes.some((s) => !Number.isInteger(s))) return { error: 'layer sizes must be whole numbers' };
  if (sizes.some((s) => s < 1 || s > 256)) return { error: 'each layer needs 1 to 256 units' };
  return { value: sizes };
}

const num = (
  key: NumberSetting['key'],
  label: string,
  min: number,
  max: number,
  integer: boolean,
  hint: string,
): NumberSetting<FieldKey> => ({
  type: 'number',
  key: key as FieldKey,
  label,
  min,
  max,
  integer,
  hint,
});

export type FieldKey = Exclude<keyof SinusoidConfig, 'algorithm' | 'hidden'>;

export const SINUSOID_SETTINGS: SettingsTable<SinusoidConfig> = {
  settings: [
    { type: 'choice', key: 'algorithm', label: 'Algorithm', options: ALGORITHMS },
    num('alpha', 'Inner learning rate α', 1e-5, 10, false, 'paper: 0.01'),
    num('trainSteps', 'Inner steps (training)', 1, 10, true, 'paper: 1'),
    num('testSteps', 'Inner steps (test)', 1, 20, true, 'paper: 10'),
    num('metaLr', 'Meta learning rate β', 1e-6, 1, false, 'Adam, paper: 0.001'),
    num('metaBatch', 'Meta-batch size', 1, 200, true, 'tasks per step, paper: 25'),
    num('shots', 'K shots', 1, 100, true, 'support points, paper: 10'),
    num('seed', 'Seed', 0, 2 ** 31 - 1, true, 'same seed, same run'),
    {
      type: 'custom',
      key: 'hidden',
      label: 'Hidden layers',
      parse: parseHidden,
      format: (v) => {
        if (!Array.isArray(v) || v.some((h) => typeof h !== 'number')) throw new Error('not a list of sizes');
        return v.join(',');
      },
    },
  ],
  range: (s) => `must be between ${s.min} and ${s.max}`,
};

/** The numeric controls, by key. */
export const FIELDS = Object.fromEntries(SINUSOID_SETTINGS.settings.filter((s) => s.type === 'number').map((s) => [s.key, s])) as Record<
  FieldKey,
  NumberSetting<FieldKey>
>;

/** Parses one numeric control; returns the value or the message to show beside it. */
export function parseField(key: FieldKey, text: string): { value?: number; error?: string } {
  return parseSetting(SINUSOID_SETTINGS, settingOf(SINUSOID_SETTINGS, key), text) as { value?: number; error?: string };
}

export function isAlgorithm(s: string): s is Algorithm {
  return (ALGORITHMS as readonly string[]).includes(s);
}

/**
 * Checks a whole configuration from outside (a URL, a checkpoint file): every field present,
 * of the right type and within the controls' limits. Returns the reason it is refused, or null.
 */
export const checkConfig = (c: unknown): string | null => checkSettings(SINUSOID_SETTINGS, c);
