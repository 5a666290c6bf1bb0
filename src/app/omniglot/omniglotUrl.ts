/**
 * The Omniglot lab's state in the query string, beside the sinusoid lab's and under its own
 * names: the episode shown (`o.way`, `o.shot`, `o.episode`: its number in the seeded stream)
 * and the meta-training settings that differ from the model's (`o.algorithm`, `o.alpha`, …).
 * Values are checked with the same limits as the page's fields; a bad one is dropped and named.
 */
import { CONV_ALGORITHMS, type ConvAlgorithm } from '../../maml/algorithm/algorithm';
import type { OmniglotConfig } from '../../maml/omniglot/config';
import { EPISODE_LIMITS } from '../../maml/omniglot/tasks';
import { parseBounded, shown } from '../../maml/settings/numberText';

export interface ConfigField {
  key: keyof OmniglotConfig;
  label: string;
  lo: number;
  hi: number;
  integer: boolean;
  hint: string;
}

/** The settings a person can change, with their limits (the settings panel shows these). */
export const CONFIG_FIELDS: ConfigField[] = [
  { key: 'way', label: 'Training way N', lo: 2, hi: 20, integer: true, hint: 'classes per training episode' },
  { key: 'shot', label: 'Training shot K', lo: 1, hi: 5, integer: true, hint: 'examples per class' },
  { key: 'metaBatch', label: 'Meta-batch', lo: 1, hi: 64, integer: true, hint: 'paper: 32 (5-way), 16 (20-way)' },
  { key: 'alpha', label: 'Inner learning rate α', lo: 1e-4, hi: 5, integer: false, hint: 'paper: 0.4 (5-way), 0.1 (20-way)' },
  { key: 'trainSteps', label: 'Inner steps (training)', lo: 1, hi: 5, integer: true, hint: 'paper: 1 (5-way), 5 (20-way)' },
  { key: 'testSteps', label: 'Inner steps (test)', lo: 1, hi: 10, integer: true, hint: 'paper: 3 (5-way), 5 (20-way)' },
  { key: 'metaLr', label: 'Meta learning rate', lo: 1e-6, hi: 0.1, integer: false, hint: 'Adam, 0.001' },
  { key: 'filters', label: 'Filters', lo: 4, hi: 64, integer: true, hint: 'a new network: train from scratch' },
];

/** A number within a field's limits, or why not. */
export function checkNumber(text: string, f: Pick<ConfigField, 'lo' | 'hi' | 'integer'>): { value?: number; error?: string } {
  return parseBounded(text, f.lo, f.hi, f.integer, `must be from ${f.lo} to ${f.hi}`);
}

/**
 * Parts of the lab a link can hide (?o.hide=settings,curves), and single settings (?o.hide=alpha,filters),
 * for a reduced view in a lesson page.
 */
export const OMNIGLOT_PANELS = ['intro', 'status', 'training', 'settings', 'episode', 'own', 'curves', 'evaluation', 'preset', 'algorithm', ...CONFIG_FIELDS.map((f) => f.key)] as const;
export type OmniglotPanel = (typeof OMNIGLOT_PANELS)[number];

export interface OmniglotUrlState {
  episode: { way: number; shot: number; serial: number };
  hide: OmniglotPanel[];
  /** Settings to apply over the model's own (only those the link names). */
  config: Partial<OmniglotConfig>;
}

export const DEFAULT_EPISODE = { way: 5, shot: 1, serial: 0 };
const P = 'o.';
const EPISODE_FIELDS = {
  way: { lo: EPISODE_LIMITS.way[0], hi: EPISODE_LIMITS.way[1], integer: true },
  shot: { lo: EPISODE_LIMITS.shot[0], hi: EPISODE_LIMITS.shot[1], integer: true },
  episode: { lo: 0, hi: 1_000_000_000, integer: true },
};

export function parseOmniglotUrl(search: string): { state: OmniglotUrlState; problems: string[] } {
  const q = new URLSearchParams(search);
  const problems: string[] = [];
  const read = (name: string, f: { lo: number; hi: number; integer: boolean }) => {
    const text = q.get(P + name);
    if (text === null) return undefined;
    const r = checkNumber(text, f);
    if (r.error) problems.push(`${P}${name}=${shown(text)}: ${r.error}; ignored`);
    return r.value;
  };
  const episode = {
    way: read('way', EPISODE_FIELDS.way) ?? DEFAULT_EPISODE.way,
    shot: read('shot', EPISODE_FIELDS.shot) ?? DEFAULT_EPISODE.shot,
    serial: read('episode', EPISODE_FIELDS.episode) ?? DEFAULT_EPISODE.serial,
  };
  const config: Partial<OmniglotConfig> = {};
  const algorithm = q.get(`${P}algorithm`);
  if (algorithm !== null) {
    if ((CONV_ALGORITHMS as readonly string[]).includes(algorithm)) config.algorithm = algorithm as ConvAlgorithm;
    else problems.push(`${P}algorithm=${shown(algorithm)}: not one of ${CONV_ALGORITHMS.join(', ')}; ignored`);
  }
  for (const f of CONFIG_FIELDS) {
    const v = read(`train.${f.key}`, f);
    if (v !== undefined) (config as Record<string, number>)[f.key] = v;
  }
  const hide: OmniglotPanel[] = [];
  for (const h of (q.get(`${P}hide`) ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    if ((OMNIGLOT_PANELS as readonly string[]).includes(h)) hide.includes(h as OmniglotPanel) || hide.push(h as OmniglotPanel);
    else problems.push(`${P}hide=${shown(h)}: no such panel (${OMNIGLOT_PANELS.join(', ')}); ignored`);
  }
  return { state: { episode, hide, config }, problems };
}

/** The query string with this lab's parameters set (non-defaults only) and everyone else's kept. */
export function serialiseOmniglotUrl(state: OmniglotUrlState, model: OmniglotConfig | undefined, search: string): string {
  const q = new URLSearchParams(search);
  for (const k of [...q.keys()]) if (k.startsWith(P)) q.delete(k);
  const { way, shot, serial } = state.episode;
  if (way !== DEFAULT_EPISODE.way) q.set(`${P}way`, String(way));
  if (shot !== DEFAULT_EPISODE.shot) q.set(`${P}shot`, String(shot));
  if (serial !== DEFAULT_EPISODE.serial) q.set(`${P}episode`, String(serial));
  if (state.hide.length) q.set(`${P}hide`, state.hide.join(','));
  if (state.config.algorithm && state.config.algorithm !== model?.algorithm) q.set(`${P}algorithm`, state.config.algorithm);
  for (const f of CONFIG_FIELDS) {
    const v = state.config[f.key];
    if (typeof v === 'number' && v !== model?.[f.key]) q.set(`${P}train.${f.key}`, String(v));
  }
  return q.toString().replace(/%2C/g, ',');
}

/** The settings a link asks for that differ from the model's, or null when there are none. */
export function linkedConfig(model: OmniglotConfig, wanted: Partial<OmniglotConfig>): OmniglotConfig | null {
  const changed = Object.entries(wanted).filter(([k, v]) => model[k as keyof OmniglotConfig] !== v);
  return changed.length ? { ...model, ...Object.fromEntries(changed) } : null;
}
