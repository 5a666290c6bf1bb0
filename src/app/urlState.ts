/**
 * The sinusoid lab's state in the URL's query string, so a link reproduces a run: every
 * control, the selected task, the compared methods, hidden panels and controls, embed
 * and large-text modes. Parsing validates every value (a bad one is dropped with a note,
 * never half-applied); serialising writes only what differs from the defaults and keeps
 * the parameters it does not own (?experiment=, ?backend=, ?engine=, ?autoplay=).
 */
import { ALGORITHMS } from '../maml/algorithm/algorithm';
import { PAPER_SINUSOID_CONFIG, type SinusoidConfig } from '../maml/sinusoid/config';
import { methodKey, type MethodSpec } from '../worker/protocol';
import { PRESETS } from '../maml/sinusoid/presets';
import { FIELDS, SINUSOID_SETTINGS, isAlgorithm, parseField, type FieldKey } from '../maml/sinusoid/settings';
import { shown } from '../maml/settings/numberText';
import { queryText, readChoices, readSettings, urlName, writeSettings } from '../maml/settings/table';

/** Panels that can be hidden (?hide=trajectory,inspector). */
export const PANELS = [
  { id: 'status', label: 'Status line' },
  { id: 'toolbar', label: 'Training buttons' },
  { id: 'controls', label: 'Hyperparameters' },
  { id: 'adaptation', label: 'Adaptation (meta-learner)' },
  { id: 'baseline', label: 'Adaptation (pretrained baseline)' },
  { id: 'trajectory', label: 'Meta-parameter trajectory' },
  { id: 'distance', label: 'Distance to the task optima' },
  { id: 'curves', label: 'Training curves' },
  { id: 'inspector', label: 'Per-task gradient steps' },
] as const;
export type PanelId = (typeof PANELS)[number]['id'];

const FIELD_KEYS = Object.keys(FIELDS) as FieldKey[];
/** Single controls that can be hidden (?hide=alpha,seed). */
export const CONTROL_IDS = ['algorithm', ...FIELD_KEYS, 'hidden'] as const;
const HIDEABLE: readonly string[] = [...PANELS.map((p) => p.id), ...CONTROL_IDS];

/** The task on show: the n-th sampled view task, or the n-th task of the trajectory picture. */
export interface TaskRef {
  kind: 'view' | 'trajectory';
  index: number;
}

export interface LabState {
  config: SinusoidConfig;
  task: TaskRef;
  /** Methods compared side by side; empty for the single-method view. */
  compare: MethodSpec[];
  /** Hidden panels and controls. */
  hide: string[];
  /** Embedding: no chrome (tabs, header, footer, tour), only the lab. */
  embed: boolean;
  /** Large text, thicker lines: for a projector. */
  large: boolean;
}

export const DEFAULT_STATE: LabState = {
  config: PAPER_SINUSOID_CONFIG,
  task: { kind: 'trajectory', index: 0 },
  compare: [],
  hide: [],
  embed: false,
  large: false,
};

/**
 * The parameters the lab writes; all others in the URL are left alone (embed and large are
 * read here but belong to the page's chrome, App.tsx, which writes them).
 */
const OWNED = ['preset', ...SINUSOID_SETTINGS.settings.map(urlName), 'task', 'compare', 'hide'];

export const MAX_COMPARE = 4;

/** "maml2", "maml1-k1": an algorithm, optionally with its own K. */
export function parseMethod(text: string): MethodSpec | null {
  const m = /^([a-z0-9]+)(?:-k(\d{1,3}))?$/.exec(text.trim());
  if (!m || !isAlgorithm(m[1])) return null;
  if (m[2] === undefined) return { algorithm: m[1] };
  const k = parseField('shots', m[2]);
  return k.error ? null : { algorithm: m[1], shots: k.value };
}

export function parseCompare(text: string): { value?: MethodSpec[]; error?: string } {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const methods = parts.map(parseMethod);
  const bad = parts.find((_, i) => !methods[i]);
  if (bad !== undefined) return { error: `"${shown(bad)}" is not a method (one of ${ALGORITHMS.join(', ')}, optionally with -kN)` };
  const keys = new Set(methods.map((m) => methodKey(m!)));
  if (keys.size !== parts.length) return { error: 'a method is listed twice' };
  if (parts.length < 2 || parts.length > MAX_COMPARE) return { error: `compare 2 to ${MAX_COMPARE} methods` };
  return { value: methods as MethodSpec[] };
}

function parseTask(text: string): TaskRef | null {
  const m = /^(t?)(\d{1,6})$/.exec(text.trim());
  if (!m) return null;
  return { kind: m[1] ? 'trajectory' : 'view', index: Number(m[2]) };
}

const taskText = (t: TaskRef) => `${t.kind === 'trajectory' ? 't' : ''}${t.index}`;

/** Reads the state from a query string; anything invalid keeps its default and is named in `problems`. */
export function parseLabState(search: string): { state: LabState; problems: string[] } {
  const q = new URLSearchParams(search);
  const problems: string[] = [];
  const state: LabState = { ...DEFAULT_STATE, config: { ...DEFAULT_STATE.config }, hide: [] };

  const preset = q.get('preset');
  if (preset !== null) {
    const p = PRESETS.find((x) => x.id === preset);
    if (p) {
      state.config = { ...p.config };
      state.compare = p.compare ?? [];
    } else problems.push(`preset "${shown(preset)}" is not known`);
  }
  const settings = readSettings(SINUSOID_SETTINGS, q, (s, text, error) =>
    s.type === 'number'
      ? `${s.label}: ${error}`
      : s.type === 'choice'
        ? `${s.key} "${shown(text)}" is not known`
        : `${s.label.toLowerCase()}: ${error}`,
  );
  Object.assign(state.config, settings.values);
  problems.push(...settings.problems);
  const task = q.get('task');
  if (task !== null) {
    const t = parseTask(task);
    if (t) state.task = t;
    else problems.push(`task "${shown(task)}" is not a task number (e.g. 3, or t2 for a trajectory task)`);
  }
  const compare = q.get('compare');
  if (compare !== null && compare !== '') {
    const r = parseCompare(compare);
    if (r.error) problems.push(`compare: ${r.error}`);
    else state.compare = r.value!;
  }
  const hide = readChoices(q.get('hide'), HIDEABLE, (h) => `"${shown(h)}" is not a panel or control that can be hidden`);
  state.hide = hide.values;
  problems.push(...hide.problems);
  state.embed = q.get('embed') === '1';
  state.large = q.get('large') === '1';
  return { state, problems };
}

/** Writes the state into a query string, keeping the parameters this module does not own (embed and large among them). */
export function serialiseLabState(state: LabState, search = ''): string {
  const q = new URLSearchParams(search);
  for (const k of OWNED) q.delete(k);
  writeSettings(SINUSOID_SETTINGS, state.config, DEFAULT_STATE.config, q);
  if (taskText(state.task) !== taskText(DEFAULT_STATE.task)) q.set('task', taskText(state.task));
  if (state.compare.length) q.set('compare', state.compare.map(methodKey).join(','));
  if (state.hide.length) q.set('hide', state.hide.join(','));
  const s = queryText(q);
  return s ? `?${s}` : '';
}
