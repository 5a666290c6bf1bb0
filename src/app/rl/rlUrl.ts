/**
 * The RL lab's state in the query string: the task family (`r.task`) and the goal of the task
 * shown (`r.goal=x,y`, a position for navigation, a velocity for the point mass). Bad values are
 * dropped and named; other labs' parameters are kept.
 */
import type { TaskFamily } from '../../maml/rl/env';
import { parseNumberText, shown } from '../../maml/settings/numberText';
import { queryText, readChoices, readSettings, writeSettings } from '../../maml/settings/table';
import { RL_SETTINGS } from '../../maml/rl/settings';

/** How far a goal may be from the origin along each axis, as the planes show. */
export const GOAL_RANGE: Record<TaskFamily, number> = { navigation: 0.6, velocity: 1 };

/** Parts of the lab a link can hide (?r.hide=curve,random), for a reduced view in a lesson page. */
export const RL_PANELS = ['intro', 'status', 'training', 'maml', 'pretrained', 'random', 'bars', 'curve'] as const;
export type RlPanel = (typeof RL_PANELS)[number];

export interface RlUrlState {
  family: TaskFamily;
  goal?: [number, number];
  hide?: RlPanel[];
}

export function parseRlUrl(search: string): { state: RlUrlState; problems: string[] } {
  const q = new URLSearchParams(search);
  const problems: string[] = [];
  const settings = readSettings(
    RL_SETTINGS,
    q,
    (s, text) => `r.${s.url}=${shown(text)}: not ${s.type === 'choice' ? s.options.join(' or ') : 'valid'}; ignored`,
    'r.',
  );
  problems.push(...settings.problems);
  const family: TaskFamily = settings.values.family ?? 'navigation';
  const text = q.get('r.goal');
  let goal: [number, number] | undefined;
  if (text !== null) {
    const xy = text
      .split(',')
      .map((v) => parseNumberText(v))
      .map((r) => ('value' in r ? r.value : NaN));
    if (xy.length !== 2 || !xy.every(Number.isFinite)) problems.push(`r.goal=${shown(text)}: not two numbers "x,y"; ignored`);
    else if (xy.some((v) => Math.abs(v) > GOAL_RANGE[family]))
      problems.push(`r.goal=${shown(text)}: outside ±${GOAL_RANGE[family]}; ignored`);
    else goal = [xy[0], xy[1]];
  }
  const hidden = readChoices(q.get('r.hide'), RL_PANELS, (h) => `r.hide=${shown(h)}: no such panel (${RL_PANELS.join(', ')}); ignored`);
  problems.push(...hidden.problems);
  const hide = hidden.values;
  return { state: { family, goal, ...(hide.length ? { hide } : {}) }, problems };
}

export function serialiseRlUrl(state: RlUrlState, search: string): string {
  const q = new URLSearchParams(search);
  q.delete('r.goal');
  writeSettings(RL_SETTINGS, { family: state.family }, { family: 'navigation' }, q, 'r.');
  if (state.goal) q.set('r.goal', state.goal.map((v) => +v.toFixed(3)).join(','));
  q.delete('r.hide');
  if (state.hide?.length) q.set('r.hide', state.hide.join(','));
  return queryText(q);
}
