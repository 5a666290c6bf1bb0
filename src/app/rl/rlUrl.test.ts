import { describe, expect, it } from 'vitest';
import { parseRlUrl, serialiseRlUrl } from './rlUrl';

describe('RL lab state in the URL', () => {
  it('round-trips the task family and goal, keeping other parameters', () => {
    const search = serialiseRlUrl({ family: 'velocity', goal: [0.41234, -0.2] }, 'experiment=rl&o.way=3');
    expect(search).toBe('experiment=rl&o.way=3&r.task=velocity&r.goal=0.412,-0.2');
    expect(parseRlUrl(search)).toEqual({ state: { family: 'velocity', goal: [0.412, -0.2] }, problems: [] });
    expect(serialiseRlUrl({ family: 'navigation' }, 'experiment=rl&r.goal=1,1')).toBe('experiment=rl');
  });

  it('drops bad values and names them', () => {
    const r = parseRlUrl('r.task=walk&r.goal=0.9,0&r.hide=curve,menu');
    expect(r.state).toEqual({ family: 'navigation', goal: undefined, hide: ['curve'] });
    expect(r.problems).toEqual([
      'r.task=walk: not navigation or velocity; ignored',
      'r.goal=0.9,0: outside ±0.6; ignored',
      'r.hide=menu: no such panel (intro, status, training, maml, pretrained, random, bars, curve); ignored',
    ]);
    expect(serialiseRlUrl({ family: 'navigation', hide: ['bars', 'curve'] }, '')).toBe('r.hide=bars,curve');
    expect(parseRlUrl('r.goal=a,b').problems[0]).toMatch(/not two numbers/);
  });
});
