/**
 * The RL lab's state in the query string: the task family (`r.task`) and the goal of the task
 * shown (`r.goal=x,y`, a position for navigation, a velocity for the point mass). Bad values are
 * dropped and named; other labs' parameters are kept.
 */
import type { TaskFamily } from '../../maml/rl/env';
import { parseNumberText, shown } from '../../maml/settings/numberText';

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
  let family: TaskFamily = 'navigation';
  const task = q.get('r.task');
  if (task === 'navigation' || task === 'velocity') family = task;
  else if (task !== null) problems.push(`r.task=${shown(task)}: not navigation or velocity; ignored`);
  const text = q.get('r.goal');
  let goal: [number, number] | undefined;
  if (text !== null) {
    const xy = text.split(',').map((v) => parseNumberText(v)).map((r) => ('value' in r ? r.value : NaN));
    if (xy.length !== 2 || !xy.every(Number.isFinite)) problems.push(`r.goal=${shown(text)}: not two numbers "x,y"; ignored`);
    else if (xy.some((v) => Math.abs(v) > GOAL_RANGE[family])) problems.push(`r.goal=${shown(text)}: outside ±${GOAL_RANGE[family]}; ignored`);
    else goal = [xy[0], xy[1]];
  }
  const hide: RlPanel[] = [];
  for (const h of (q.get('r.hide') ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    if ((RL_PANELS as readonly string[]).includes(h)) hide.includes(h as RlPanel) || hide.push(h as RlPanel);
    else problems.push(`r.hide=${shown(h)}: no such panel (${RL_PANELS.join(', ')}); ignored`);
  }
  return { state: { family, goal, ...(hide.length ? { hide } : {}) }, problems };
}

export function serialiseRlUrl(state: RlUrlState, search: string): string {
  const q = new URLSearchParams(search);
  q.delete('r.task');
  q.delete('r.goal');
  if (state.family !== 'navigation') q.set('r.task', state.family);
  if (state.goal) q.set('r.goal', state.goal.map((v) => +v.toFixed(3)).join(','));
  q.delete('r.hide');
  if (state.hide?.length) q.set('r.hide', state.hide.join(','));
  return q.toString().replace(/%2C/g, ',');
}
