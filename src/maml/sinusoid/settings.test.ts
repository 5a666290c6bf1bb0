import { describe, expect, it } from 'vitest';
import { parseField, parseHidden } from './settings';

describe('control validation', () => {
  it('accepts values in range and rejects the rest with a message', () => {
    expect(parseField('alpha', '0.01')).toEqual({ value: 0.01 });
    expect(parseField('alpha', 'abc').error).toMatch(/not a number/);
    expect(parseField('alpha', '').error).toMatch(/required/);
    expect(parseField('alpha', '-1').error).toMatch(/between/);
    expect(parseField('metaBatch', '2.5').error).toMatch(/whole number/);
    expect(parseField('metaBatch', '1e9').error).toMatch(/between/);
    expect(parseField('shots', 'Infinity').error).toMatch(/not a number/);
  });
  it('reads hidden sizes and rejects absurd ones', () => {
    expect(parseHidden('40, 40')).toEqual({ value: [40, 40] });
    expect(parseHidden('64x64x32')).toEqual({ value: [64, 64, 32] });
    expect(parseHidden('100000').error).toMatch(/1 to 256/);
    expect(parseHidden('1,2,3,4,5').error).toMatch(/at most 4/);
    expect(parseHidden('a').error).toMatch(/whole numbers/);
  });
});

describe('a whole configuration from a file or link', () => {
  it('accepts the paper settings and refuses missing, mistyped or out-of-range fields', async () => {
    const { checkConfig } = await import('./settings');
    const { PAPER_SINUSOID_CONFIG: p } = await import('./config');
    expect(checkConfig(p)).toBeNull();
    expect(checkConfig(null)).toMatch(/not an object/);
    expect(checkConfig({ ...p, algorithm: 'sgd' })).toMatch(/algorithm/);
    expect(checkConfig({ ...p, metaBatch: 1e9 })).toMatch(/Meta-batch size must be between/);
    expect(checkConfig({ ...p, alpha: '0.01' })).toMatch(/Inner learning rate α is missing/);
    expect(checkConfig({ ...p, hidden: [40, 100000] })).toMatch(/1 to 256/);
    expect(checkConfig({ ...p, seed: 1.5 })).toMatch(/whole number/);
  });
});
