/**
 * The Omniglot lab's state in the query string, beside the sinusoid lab's and under its own
 * names: the episode shown (`o.way`, `o.shot`, `o.episode`: its number in the seeded stream)
 * and the meta-training settings that differ from the model's (`o.algorithm`, `o.alpha`, …).
 * Values are checked with the same limits as the page's fields; a bad one is dropped and named.
 */
import type { OmniglotConfig } from '../../maml/omniglot/config';
import { DEFAULT_EPISODE, EPISODE_SETTINGS, OMNIGLOT_SETTINGS, TRAINING_FIELDS, type EpisodeChoice } from '../../maml/omniglot/settings';
import { parseBounded, shown } from '../../maml/settings/numberText';
import { MAX_WORKERS } from '../../worker/omniglotProtocol';
import { queryText, readChoices, readSettings, urlName, writeSettings, type Setting } from '../../maml/settings/table';

/**
 * Parts of the lab a link can hide (?o.hide=settings,curves), and single settings (?o.hide=alpha,filters),
 * for a reduced view in a lesson page.
 */
export const OMNIGLOT_PANELS = [
  'intro',
  'status',
  'training',
  'settings',
  'episode',
  'own',
  'curves',
  'compare',
  'evaluation',
  'confusion',
  'preset',
  'algorithm',
  ...TRAINING_FIELDS.map((f) => f.key),
] as const;
export type OmniglotPanel = (typeof OMNIGLOT_PANELS)[number];

export interface OmniglotUrlState {
  episode: EpisodeChoice;
  /** Threads meta-training splits each batch over (?workers=N, like ?backend= a property of this machine, not of the lesson). */
  workers?: number;
  hide: OmniglotPanel[];
  /** Settings to apply over the model's own (only those the link names). */
  config: Partial<OmniglotConfig>;
}

const P = 'o.';

const problem = (s: Setting, text: string, error: string) =>
  `${P}${urlName(s)}=${shown(text)}: ${s.type === 'choice' ? `not one of ${s.options.join(', ')}` : error}; ignored`;

export function parseOmniglotUrl(search: string): { state: OmniglotUrlState; problems: string[] } {
  const q = new URLSearchParams(search);
  const episode = readSettings(EPISODE_SETTINGS, q, problem, P);
  const config = readSettings(OMNIGLOT_SETTINGS, q, problem, P);
  const problems = [...episode.problems, ...config.problems];
  const hide = readChoices(
    q.get(`${P}hide`),
    OMNIGLOT_PANELS,
    (h) => `${P}hide=${shown(h)}: no such panel (${OMNIGLOT_PANELS.join(', ')}); ignored`,
  );
  const workersText = q.get('workers');
  const workers = workersText === null ? null : parseBounded(workersText, 1, MAX_WORKERS, true, `must be 1 to ${MAX_WORKERS}`);
  if (workers && 'error' in workers) problems.push(`workers=${shown(workersText!)}: ${workers.error}; ignored`);
  return {
    state: {
      episode: { ...DEFAULT_EPISODE, ...episode.values },
      hide: hide.values,
      config: config.values,
      ...(workers && 'value' in workers && { workers: workers.value }),
    },
    problems: [...problems, ...hide.problems],
  };
}

/** The query string with this lab's parameters set (non-defaults only) and everyone else's kept. */
export function serialiseOmniglotUrl(state: OmniglotUrlState, model: OmniglotConfig | undefined, search: string): string {
  const q = new URLSearchParams(search);
  for (const k of [...q.keys()]) if (k.startsWith(P)) q.delete(k);
  writeSettings(EPISODE_SETTINGS, state.episode, DEFAULT_EPISODE, q, P);
  if (state.hide.length) q.set(`${P}hide`, state.hide.join(','));
  // The settings that differ from the model's (all the link names, when no model is known yet).
  writeSettings(OMNIGLOT_SETTINGS, state.config, model, q, P);
  return queryText(q);
}

/** The settings a link asks for that differ from the model's, or null when there are none. */
export function linkedConfig(model: OmniglotConfig, wanted: Partial<OmniglotConfig>): OmniglotConfig | null {
  const changed = Object.entries(wanted).filter(([k, v]) => model[k as keyof OmniglotConfig] !== v);
  return changed.length ? { ...model, ...Object.fromEntries(changed) } : null;
}
