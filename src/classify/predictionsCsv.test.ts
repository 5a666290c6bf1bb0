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
});
