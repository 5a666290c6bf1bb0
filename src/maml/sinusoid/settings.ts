import { ALGORITHMS, type Algorithm } from '../algorithm/algorithm';
import type { SinusoidConfig } from './config';
import { isWholeText, parseBounded } from '../settings/numberText';

/** A control's allowed values and how to read it from text. */
interface NumberField {
  label: string;
  min: number;
  max: number;
  integer: boolean;
  hint: string;
}

export const FIELDS: Record<Exclude<keyof SinusoidConfig, 'algorithm' | 'hidden'>, NumberField> = {
  alpha: { label: 'Inner learning rate α', min: 1e-5, max: 10, integer: false, hint: 'paper: 0.01' },
  trainSteps: { label: 'Inner steps (training)', min: 1, max: 10, integer: true, hint: 'paper: 1' },
  testSteps: { label: 'Inner steps (test)', min: 1, max: 20, integer: true, hint: 'paper: 10' },
  metaLr: { label: 'Meta learning rate β', min: 1e-6, max: 1, integer: false, hint: 'Adam, paper: 0.001' },
  metaBatch: { label: 'Meta-batch size', min: 1, max: 200, integer: true, hint: 'tasks per step, paper: 25' },
  shots: { label: 'K shots', min: 1, max: 100, integer: true, hint: 'support points, paper: 10' },
  seed: { label: 'Seed', min: 0, max: 2 ** 31 - 1, integer: true, hint: 'same seed, same run' },
};

export type FieldKey = keyof typeof FIELDS;

/** Parses one numeric control; returns the value or the message to show beside it. */
export function parseField(key: FieldKey, text: string): { value?: number; error?: string } {
  const f = FIELDS[key];
  const t = text.trim();
  if (t === '') return { error: `${f.label} is required` };
  return parseBounded(t, f.min, f.max, !!f.integer, `must be between ${f.min} and ${f.max}`);
}

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

export function isAlgorithm(s: string): s is Algorithm {
  return (ALGORITHMS as readonly string[]).includes(s);
}

/**
 * Checks a whole configuration from outside (a URL, a checkpoint file): every field present,
 * of the right type and within the controls' limits. Returns the reason it is refused, or null.
 */
export function checkConfig(c: unknown): string | null {
  if (!c || typeof c !== 'object') return 'the settings are not an object';
  const o = c as Record<string, unknown>;
  if (typeof o.algorithm !== 'string' || !isAlgorithm(o.algorithm)) return `algorithm ${JSON.stringify(o.algorithm)} is not known`;
  for (const key of Object.keys(FIELDS) as FieldKey[]) {
    const v = o[key];
    if (typeof v !== 'number') return `${FIELDS[key].label} is missing`;
    const r = parseField(key, String(v));
    if (r.error) return `${FIELDS[key].label} ${r.error}`;
  }
  if (!Array.isArray(o.hidden) || o.hidden.some((h) => typeof h !== 'number')) return 'hidden layer sizes are missing';
  const h = parseHidden(o.hidden.join(','));
  return h.error ? `hidden layers: ${h.error}` : null;
}
