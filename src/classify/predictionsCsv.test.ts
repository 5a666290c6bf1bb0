import { describe, expect, it } from 'vitest';
import { predictionsCsv } from './predictionsCsv';

describe('predictionsCsv', () => {
  it('writes a header and one row per query, quoting fields that need it', () => {
    const text = predictionsCsv([
      { file: 'a.png', predicted: 'alpha', probability: 0.91234 },
      { file: 'b, "two".png', predicted: 'line\nbreak', probability: 0.5 },
    ]);
    expect(text.split('\n')[0]).toBe('query,predicted,probability');
    expect(text).toContain('a.png,alpha,0.9123\n');
    expect(text).toContain('"b, ""two"".png","line\nbreak",0.5000\n');
  });

  it('writes names a spreadsheet would run as formulas as plain text (OWASP CSV injection)', () => {
    const text = predictionsCsv([
      { file: '=1+1.png', predicted: '@SUM(A1)', probability: 0.5 },
      { file: '+name.png', predicted: '-2', probability: 0.5 },
      { file: '\tx.png', predicted: '\rclass', probability: 0.5 },
      { file: 'a=b.png', predicted: 'e-mail', probability: 0.5 },
    ]);
    const rows = text.trim().split('\n').slice(1);
    expect(rows[0]).toBe(`"'=1+1.png","'@SUM(A1)",0.5000`);
    expect(rows[1]).toBe(`"'+name.png","'-2",0.5000`);
    expect(text).toContain(`"'\tx.png","'\rclass",0.5000`);
    // Only a leading character counts.
    expect(rows.at(-1)).toBe('a=b.png,e-mail,0.5000');
  });
});
