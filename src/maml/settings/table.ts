/**
 * One declarative table of settings per lab (as TensorFlow Playground's property table):
 * each setting's key, type, limits, URL name, label and hint. From the table come the
 * controls' validation, the link's parser and serialiser (one for all three labs) and the
 * worker's check of settings from outside (a checkpoint, a saved model). Tensor-free.
 */
import { parseBounded, shown } from './numberText';

interface Common<K extends string> {
  key: K;
  label: string;
  hint?: string;
  /** The query-string name (the key itself when absent). */
  url?: string;
}

export interface NumberSetting<K extends string = string> extends Common<K> {
  type: 'number';
  min: number;
  max: number;
  integer: boolean;
}

export interface ChoiceSetting<K extends string = string> extends Common<K> {
  type: 'choice';
  options: readonly string[];
}

/** A value with its own text form (the sinusoid lab's hidden layer sizes). */
export interface CustomSetting<K extends string = string> extends Common<K> {
  type: 'custom';
  parse(text: string): { value?: unknown; error?: string };
  format(value: unknown): string;
}

export type Setting<K extends string = string> = NumberSetting<K> | ChoiceSetting<K> | CustomSetting<K>;

export interface SettingsTable<C> {
  settings: readonly Setting<Extract<keyof C, string>>[];
  /** The message for a number out of its limits (each lab keeps its wording). */
  range(s: NumberSetting): string;
}

export const urlName = (s: Setting) => s.url ?? s.key;

/** One setting from text: its value, or the message to show beside the control. */
export function parseSetting<C>(table: SettingsTable<C>, s: Setting, text: string): { value?: unknown; error?: string } {
  switch (s.type) {
    case 'number': {
      if (text.trim() === '') return { error: `${s.label} is required` };
      return parseBounded(text, s.min, s.max, s.integer, table.range(s));
    }
    case 'choice':
      return s.options.includes(text) ? { value: text } : { error: `"${shown(text)}" is not one of ${s.options.join(', ')}` };
    case 'custom':
      return s.parse(text);
  }
}

/** The setting of `key` in the table. */
export function settingOf<C>(table: SettingsTable<C>, key: Extract<keyof C, string>): Setting {
  const s = table.settings.find((x) => x.key === key);
  if (!s) throw new Error(`no setting ${key}`);
  return s;
}

/**
 * Checks settings from outside (a checkpoint, a saved model): every setting of the table
 * present, of the right type and within its limits. The reason it is refused, or null.
 */
export function checkSettings<C>(table: SettingsTable<C>, c: unknown): string | null {
  if (!c || typeof c !== 'object') return 'the settings are not an object';
  const o = c as Record<string, unknown>;
  for (const s of table.settings) {
    const v = o[s.key];
    if (s.type === 'number') {
      if (typeof v !== 'number') return `${s.label} is missing`;
      const r = parseSetting(table, s, String(v));
      if (r.error) return `${s.label} ${r.error}`;
    } else if (s.type === 'choice') {
      if (typeof v !== 'string' || !s.options.includes(v)) return `${s.label.toLowerCase()} ${JSON.stringify(v)} is not known`;
    } else {
      let text: string;
      try {
        text = s.format(v);
      } catch {
        return `${s.label} is missing`;
      }
      const r = s.parse(text);
      if (r.error) return `${s.label}: ${r.error}`;
    }
  }
  return null;
}

/**
 * Reads the table's settings from a query string (`prefix` before every URL name). What is
 * valid comes back in `values`; each invalid one is left out and named in `problems`, worded
 * by `problem`.
 */
export function readSettings<C>(
  table: SettingsTable<C>,
  q: URLSearchParams,
  problem: (s: Setting, text: string, error: string) => string,
  prefix = '',
): { values: Partial<C>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const s of table.settings) {
    const text = q.get(prefix + urlName(s));
    if (text === null) continue;
    const r = parseSetting(table, s, text);
    if (r.error) problems.push(problem(s, text, r.error));
    else values[s.key] = r.value;
  }
  return { values: values as Partial<C>, problems };
}

const textOf = (s: Setting, v: unknown) => (s.type === 'custom' ? s.format(v) : String(v));

/** Writes the settings that differ from `base` (all when there is none) into `q`, after removing the table's own. */
export function writeSettings<C>(table: SettingsTable<C>, values: Partial<C>, base: C | undefined, q: URLSearchParams, prefix = ''): void {
  for (const s of table.settings) {
    q.delete(prefix + urlName(s));
    const v = values[s.key as keyof C];
    if (v === undefined) continue;
    if (base !== undefined && textOf(s, v) === textOf(s, (base as C)[s.key as keyof C])) continue;
    q.set(prefix + urlName(s), textOf(s, v));
  }
}

/** A query string as links show it: commas unescaped (`compare=maml2,reptile`), no leading "?". */
export const queryText = (q: URLSearchParams) => q.toString().replace(/%2C/g, ',');

/**
 * A comma-separated list of names from `options` (the panels and controls a link hides),
 * each kept once; an unknown one is left out and named in `problems`, worded by `problem`.
 */
export function readChoices<T extends string>(
  text: string | null,
  options: readonly T[],
  problem: (name: string) => string,
): { values: T[]; problems: string[] } {
  const values: T[] = [];
  const problems: string[] = [];
  for (const h of (text ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    if (!(options as readonly string[]).includes(h)) problems.push(problem(h));
    else if (!values.includes(h as T)) values.push(h as T);
  }
  return { values, problems };
}
