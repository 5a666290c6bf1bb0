import { describe, expect, it } from 'vitest';
import { formatLoss, parseNumberText, shown } from '../maml/settings/numberText';
import { parseField, parseHidden } from '../maml/sinusoid/settings';
import { OMNIGLOT_SETTINGS } from '../maml/omniglot/settings';
import { parseSetting, settingOf } from '../maml/settings/table';
import { parseRlUrl } from './rl/rlUrl';
import { parseLabState } from './urlState';

describe('numbers as people type them', () => {
  it('reads decimal notation only', () => {
    for (const [text, value] of [
      ['16', 16],
      [' 0.25 ', 0.25],
      ['-3', -3],
      ['+2', 2],
      ['.5', 0.5],
      ['5.', 5],
      ['1e-3', 0.001],
      ['2E2', 200],
    ] as const) {
      expect(parseNumberText(text)).toEqual({ value });
    }
    for (const text of ['0x10', '0b1', '0o7', 'Infinity', '-Infinity', 'NaN', '1_000', '', ' ', '1,5', '--1', '1e', 'e3', '١٢']) {
      expect(parseNumberText(text), text).toHaveProperty('error');
    }
  });

  it('takes digits only for whole numbers, everywhere', () => {
    expect(parseField('metaBatch', '0x10')).toEqual({ error: '"0x10" is not a number' });
    expect(parseField('metaBatch', '1e1')).toEqual({ error: 'must be a whole number' });
    expect(parseField('metaBatch', '10.0')).toEqual({ error: 'must be a whole number' });
    expect(parseField('metaBatch', '16')).toEqual({ value: 16 });
    expect(parseSetting(OMNIGLOT_SETTINGS, settingOf(OMNIGLOT_SETTINGS, 'metaBatch'), '0x10')).toEqual({ error: '"0x10" is not a number' });
    expect(parseHidden('4e1, 40')).toEqual({ error: 'layer sizes must be whole numbers' });
    expect(parseHidden('40 x 40')).toEqual({ value: [40, 40] });
    expect(parseRlUrl('?r.goal=0x0,0').problems[0]).toMatch(/not two numbers/);
  });

  it('echoes at most a readable part of what was typed', () => {
    const long = '9'.repeat(10_000);
    expect(shown(long)).toHaveLength(24);
    expect(shown(long).endsWith('…')).toBe(true);
    expect(shown('short')).toBe('short');
    const { problems } = parseLabState(`?metaBatch=${long}&algorithm=${'x'.repeat(5000)}`);
    expect(problems.length).toBe(2);
    for (const p of problems) expect(p.length).toBeLessThan(120);
    expect(parseRlUrl(`?r.goal=${long}`).problems[0].length).toBeLessThan(120);
  });
});

describe('formatLoss', () => {
  it('keeps losses short and readable, whatever their size', () => {
    expect(formatLoss(0.123456)).toBe('0.123');
    expect(formatLoss(2431061.2291197013)).toBe('2.43e+6');
    expect(formatLoss(0.0000123)).toBe('1.23e-5');
    expect(formatLoss(0)).toBe('0.000');
    expect(formatLoss(NaN)).toBe('not a number');
    expect(formatLoss(Infinity)).toBe('infinite');
  });
});
