import { describe, expect, it } from 'vitest';
import { checkSettings, parseSetting, queryText, readChoices, readSettings, writeSettings, type SettingsTable } from './table';

interface Demo {
  mode: 'a' | 'b';
  rate: number;
  count: number;
  sizes: number[];
}
const TABLE: SettingsTable<Demo> = {
  settings: [
    { type: 'choice', key: 'mode', label: 'Mode', options: ['a', 'b'] },
    { type: 'number', key: 'rate', label: 'Rate', min: 0.001, max: 1, integer: false },
    { type: 'number', key: 'count', url: 'n', label: 'Count', min: 1, max: 10, integer: true },
    {
      type: 'custom',
      key: 'sizes',
      label: 'Sizes',
      parse: (t) => (/^\d+(,\d+)*$/.test(t) ? { value: t.split(',').map(Number) } : { error: 'not a list' }),
      format: (v) => (v as number[]).join(','),
    },
  ],
  range: (s) => `must be within [${s.min}, ${s.max}]`,
};
const DEFAULTS: Demo = { mode: 'a', rate: 0.1, count: 3, sizes: [4, 4] };
const problem = (s: { key: string }, text: string, error: string) => `${s.key}=${text}: ${error}`;

describe('a settings table', () => {
  it("parses each type with the limits, the digits-only rule and the lab's wording", () => {
    const [mode, rate, count, sizes] = TABLE.settings;
    expect(parseSetting(TABLE, rate, '0.5')).toEqual({ value: 0.5 });
    expect(parseSetting(TABLE, rate, '2')).toEqual({ error: 'must be within [0.001, 1]' });
    expect(parseSetting(TABLE, rate, '')).toEqual({ error: 'Rate is required' });
    expect(parseSetting(TABLE, count, '0x3').error).toMatch(/not a number/);
    expect(parseSetting(TABLE, count, '3.0')).toEqual({ error: 'must be a whole number' });
    expect(parseSetting(TABLE, mode, 'c').error).toMatch(/not one of a, b/);
    expect(parseSetting(TABLE, sizes, '8,8')).toEqual({ value: [8, 8] });
  });

  it('reads a query string (with a prefix): valid values kept, each bad one named once', () => {
    const r = readSettings(TABLE, new URLSearchParams('x.mode=b&x.rate=9&x.n=7&x.sizes=1,,2&rate=0.5'), problem, 'x.');
    expect(r.values).toEqual({ mode: 'b', count: 7 });
    expect(r.problems).toEqual(['rate=9: must be within [0.001, 1]', 'sizes=1,,2: not a list']);
  });

  it("writes only what differs from the base, keeps everyone else's parameters, and reads back the same", () => {
    const q = new URLSearchParams('other=1&x.n=9');
    writeSettings(TABLE, { ...DEFAULTS, rate: 0.25, sizes: [2, 3] }, DEFAULTS, q, 'x.');
    expect(queryText(q)).toBe('other=1&x.rate=0.25&x.sizes=2,3');
    expect({ ...DEFAULTS, ...readSettings(TABLE, q, problem, 'x.').values }).toEqual({ ...DEFAULTS, rate: 0.25, sizes: [2, 3] });
  });

  it('checks settings from outside: every one present, of its type, within its limits', () => {
    expect(checkSettings(TABLE, DEFAULTS)).toBeNull();
    expect(checkSettings(TABLE, null)).toMatch(/not an object/);
    expect(checkSettings(TABLE, { ...DEFAULTS, mode: 'z' })).toMatch(/mode "z" is not known/);
    expect(checkSettings(TABLE, { ...DEFAULTS, rate: '0.1' })).toMatch(/Rate is missing/);
    expect(checkSettings(TABLE, { ...DEFAULTS, count: 11 })).toMatch(/Count must be within/);
    expect(checkSettings(TABLE, { ...DEFAULTS, count: 2.5 })).toMatch(/whole number/);
  });

  it('reads a list of names once each, naming the unknown', () => {
    expect(readChoices('a, b,a,zz', ['a', 'b'] as const, (h) => `no ${h}`)).toEqual({ values: ['a', 'b'], problems: ['no zz'] });
    expect(readChoices(null, ['a'] as const, (h) => h)).toEqual({ values: [], problems: [] });
  });
});
