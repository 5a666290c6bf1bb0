/**
 * The three labs' link parsers on random query strings (seeded): each returns settings its lab
 * accepts, names every value it drops in a short message, never throws, and what it returns
 * survives a write and a re-read unchanged.
 */
import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../maml/random';
import { SINUSOID_SETTINGS, checkConfig } from '../maml/sinusoid/settings';
import { EPISODE_SETTINGS, OMNIGLOT_SETTINGS } from '../maml/omniglot/settings';
import { RL_SETTINGS } from '../maml/rl/settings';
import { checkSettings, urlName } from '../maml/settings/table';
import { parseLabState, serialiseLabState } from './urlState';
import { parseOmniglotUrl } from './omniglot/omniglotUrl';
import { GOAL_RANGE, parseRlUrl, serialiseRlUrl } from './rl/rlUrl';

const KEYS = [
  ...SINUSOID_SETTINGS.settings.map(urlName),
  'task',
  'compare',
  'hide',
  'preset',
  'embed',
  'large',
  'experiment',
  ...[...OMNIGLOT_SETTINGS.settings, ...EPISODE_SETTINGS.settings].map((s) => `o.${urlName(s)}`),
  'o.hide',
  ...RL_SETTINGS.settings.map((s) => `r.${urlName(s)}`),
  'r.goal',
  'r.hide',
  'zzz',
  '',
];

const pick = <T>(rng: Rng, a: readonly T[]) => a[Math.floor(rng.next() * a.length)];

function value(rng: Rng): string {
  const r = rng.next();
  if (r < 0.15) return String(Math.floor(rng.next() * 200) - 50);
  if (r < 0.25) return (rng.next() * 10 - 2).toPrecision(1 + Math.floor(rng.next() * 17));
  if (r < 0.35)
    return pick(rng, ['0x10', '1e3', '1e309', '-0', 'NaN', 'Infinity', '-Infinity', '1_000', ' 5', '5 ', '+5', '.5', '5.', '٣']);
  if (r < 0.45)
    return pick(rng, ['maml1', 'maml2', 'reptile', 'pretrained', 'navigation', 'velocity', 'trajectory', 't2', 'maml2:10', '40,40']);
  if (r < 0.55) return Array.from({ length: Math.floor(rng.next() * 6) }, () => value(rng)).join(',');
  if (r < 0.62) return '9'.repeat(1 + Math.floor(rng.next() * 12_000));
  if (r < 0.7) return pick(rng, ['%', '%E0%A4%A', '%FF', '%00', '\u0000', '💥', '<script>', '"', "'", '&', '=', '#', '?']);
  if (r < 0.78) return '';
  return Array.from({ length: Math.floor(rng.next() * 20) }, () => String.fromCharCode(Math.floor(rng.next() * 0x3000))).join('');
}

function randomQuery(rng: Rng): string {
  const parts: string[] = [];
  const n = Math.floor(rng.next() * 8);
  for (let i = 0; i < n; i++) {
    const key = pick(rng, KEYS);
    // Half encoded as a browser would, half raw (a hand-edited link).
    const v = value(rng);
    parts.push(rng.next() < 0.5 ? `${encodeURIComponent(key)}=${encodeURIComponent(v)}` : `${key}=${v}`);
  }
  return `?${parts.join('&')}`;
}

const RUNS = 2000;

describe('link parsers under random query strings', () => {
  it(`the sinusoid lab: ${RUNS} links give valid settings, short named problems, and a stable round trip`, () => {
    const rng = createRng('fuzz/sinusoid-url');
    for (let i = 0; i < RUNS; i++) {
      const q = randomQuery(rng);
      const { state, problems } = parseLabState(q);
      expect(checkConfig(state.config), q).toBeNull();
      for (const p of problems) expect(p.length, p).toBeLessThan(400);
      const again = parseLabState(serialiseLabState(state));
      expect(again.problems, q).toEqual([]);
      expect(again.state.config, q).toEqual(state.config);
      expect(again.state.compare, q).toEqual(state.compare);
    }
  });

  it(`the Omniglot lab: ${RUNS} links give settings within the panel's limits and short named problems`, () => {
    const rng = createRng('fuzz/omniglot-url');
    for (let i = 0; i < RUNS; i++) {
      const q = randomQuery(rng);
      const { state, problems } = parseOmniglotUrl(q);
      expect(checkSettings(EPISODE_SETTINGS, state.episode), q).toBeNull();
      for (const [k, v] of Object.entries(state.config)) {
        const s = OMNIGLOT_SETTINGS.settings.find((x) => x.key === k)!;
        if (s.type === 'number') {
          expect(Number.isFinite(v), q).toBe(true);
          expect(v as number, q).toBeGreaterThanOrEqual(s.min);
          expect(v as number, q).toBeLessThanOrEqual(s.max);
        } else if (s.type === 'choice') expect(s.options as readonly unknown[], q).toContain(v);
      }
      for (const p of problems) expect(p.length, p).toBeLessThan(400);
    }
  });

  it(`the RL lab: ${RUNS} links give a task family, a finite goal in range, and a stable round trip`, () => {
    const rng = createRng('fuzz/rl-url');
    for (let i = 0; i < RUNS; i++) {
      const q = randomQuery(rng);
      const { state, problems } = parseRlUrl(q);
      expect(['navigation', 'velocity'], q).toContain(state.family);
      if (state.goal) for (const g of state.goal) expect(Math.abs(g), q).toBeLessThanOrEqual(GOAL_RANGE[state.family]);
      for (const p of problems) expect(p.length, p).toBeLessThan(400);
      const again = parseRlUrl(serialiseRlUrl(state, ''));
      expect(again.problems, q).toEqual([]);
      expect(again.state.family, q).toBe(state.family);
    }
  });
});
