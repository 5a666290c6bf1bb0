import { describe, expect, it } from 'vitest';
import { confusionMatrix, misclassified, sampleConfusionEpisode, topConfusions } from './confusion';
import type { CharacterClass, OmniglotDataset } from './pack';

/** A tiny held-out split: 25 characters of one alphabet and 6 of another, 20 drawings each (image i is filled with i % 256). */
function fakeDataset(): OmniglotDataset {
  const test: CharacterClass[] = [];
  let first = 0;
  for (const [alphabet, n] of [
    ['Japanese_(katakana)', 25],
    ['Tagalog', 6],
  ] as const)
    for (let c = 0; c < n; c++) {
      test.push({ alphabet, character: `character${c + 1}`, first, count: 20 });
      first += 20;
    }
  const pixels = new Uint8Array(first * 784);
  for (let i = 0; i < first; i++) pixels.fill(i % 256, i * 784, (i + 1) * 784);
  return { index: { alphabets: [] } as unknown as OmniglotDataset['index'], pixels, classes: { train: [], test } };
}

describe('confusion matrix', () => {
  // 3 classes, 4 queries: class 0 right, class 1 taken for 2, class 2 right, class 0 taken for 1.
  const probs = Float32Array.from([0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.2, 0.2, 0.6, 0.3, 0.5, 0.2]);
  const labels = Int32Array.from([0, 1, 2, 0]);

  it('counts each query once, true class rows and predicted class columns', () => {
    const m = confusionMatrix(probs, labels, 3);
    expect(Array.from(m.counts)).toEqual([1, 1, 0, 0, 0, 1, 0, 0, 1]);
    expect(m.total).toBe(4);
    expect(m.correct).toBe(2);
    expect(Array.from(m.perClass)).toEqual([2, 1, 1]);
    expect(m.counts.reduce((a, b) => a + b, 0)).toBe(labels.length);
    // Mean probabilities per true class: rows sum to 1.
    expect(m.meanProbs[0]).toBeCloseTo(0.5);
    expect(m.meanProbs[1]).toBeCloseTo(0.35);
    for (let t = 0; t < 3; t++) expect(m.meanProbs[t * 3] + m.meanProbs[t * 3 + 1] + m.meanProbs[t * 3 + 2]).toBeCloseTo(1);
    expect(topConfusions(m)).toEqual([
      { truth: 0, predicted: 1, count: 1 },
      { truth: 1, predicted: 2, count: 1 },
    ]);
  });

  it('leaves out unlabelled queries and refuses a shape that does not fit', () => {
    const m = confusionMatrix(probs, Int32Array.from([0, -1, 2, 3]), 3);
    expect(m.total).toBe(2);
    expect(Array.from(m.perClass)).toEqual([1, 0, 1]);
    expect(m.meanProbs[3]).toBe(0); // no queries of class 1: its row stays 0
    expect(() => confusionMatrix(probs, labels, 4)).toThrow(/12 probabilities for 4 queries of 4 classes/);
  });

  it('lists the mistakes with both probabilities, the most confident first', () => {
    expect(misclassified(probs, labels, 3)).toEqual([
      { query: 1, truth: 1, predicted: 2, pPredicted: expect.closeTo(0.6), pTruth: expect.closeTo(0.3) },
      { query: 3, truth: 0, predicted: 1, pPredicted: expect.closeTo(0.5), pTruth: expect.closeTo(0.3) },
    ]);
    expect(misclassified(probs, Int32Array.from([0, -1, 2, -1]), 3)).toEqual([]);
  });
});

describe('confusion episodes', () => {
  const ds = fakeDataset();

  it('are seeded: the same request gives the same episode, another seed another', () => {
    const a = sampleConfusionEpisode(ds, { way: 5, shot: 1, mode: 'mixed', seed: 3 });
    const b = sampleConfusionEpisode(ds, { way: 5, shot: 1, mode: 'mixed', seed: 3 });
    const c = sampleConfusionEpisode(ds, { way: 5, shot: 1, mode: 'mixed', seed: 4 });
    expect(b.classes).toEqual(a.classes);
    expect(b.query).toEqual(a.query);
    expect(c.classes).not.toEqual(a.classes);
    expect(a.queryLabels.length).toBe(5 * 5);
  });

  it('within one alphabet: every class from it, support and queries by the same drawers for all classes', () => {
    for (let seed = 0; seed < 5; seed++) {
      const e = sampleConfusionEpisode(ds, { way: 20, shot: 1, mode: 'within', seed });
      const classes = e.classes[0];
      expect(classes).toHaveLength(20);
      expect(new Set(classes.map((c) => c.alphabet))).toEqual(new Set(['Japanese_(katakana)']));
      const drawers = (c: (typeof classes)[number]) => {
        const first = ds.classes.test.find((x) => x.alphabet === c.alphabet && x.character === c.character)!.first;
        return c.images.map((i) => i - first);
      };
      for (const c of classes) expect(drawers(c)).toEqual(drawers(classes[0]));
      expect(new Set(classes.map((c) => c.character)).size).toBe(20);
    }
  });

  it('refuses a mode or seed that is not one', () => {
    expect(() => sampleConfusionEpisode(ds, { way: 5, shot: 1, mode: 'x' as 'mixed', seed: 1 })).toThrow(/mode/);
    expect(() => sampleConfusionEpisode(ds, { way: 5, shot: 1, mode: 'mixed', seed: 1.5 })).toThrow(/seed/);
    expect(() => sampleConfusionEpisode(ds, { way: 21, shot: 1, mode: 'mixed', seed: 1 })).toThrow(/way/);
  });
});
