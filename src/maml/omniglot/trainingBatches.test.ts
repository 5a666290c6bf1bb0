import { describe, expect, it } from 'vitest';
import { DEFAULT_OMNIGLOT_CONFIG, trainingSpec } from './config';
import type { CharacterClass, OmniglotDataset } from './pack';
import { trainingBatch } from './tasks';
import { TrainingBatches } from './trainingBatches';

/** 30 training characters of 20 drawings each; drawing i is filled with a value of its own. */
function fakeDataset(): OmniglotDataset {
  const train: CharacterClass[] = [];
  for (let c = 0; c < 30; c++) train.push({ alphabet: 'Latin', character: `character${c + 1}`, first: c * 20, count: 20 });
  const pixels = new Uint8Array(600 * 784);
  for (let i = 0; i < 600; i++) pixels.fill((i * 7) % 256, i * 784, (i + 1) * 784);
  return { index: { alphabets: [] } as unknown as OmniglotDataset['index'], pixels, classes: { train, test: [] } };
}

describe('the meta-training stream', () => {
  const ds = fakeDataset();
  const config = { ...DEFAULT_OMNIGLOT_CONFIG, metaBatch: 3, seed: 5 };
  const direct = (c: typeof config, i: number) => trainingBatch(ds, trainingSpec(c), c.metaBatch, c.seed, i);

  it('gives each iteration the batch trainingBatch gives, drawn ahead or not', () => {
    const batches = new TrainingBatches(ds);
    expect(batches.at(config, 0)).toEqual(direct(config, 0));
    batches.drawAhead(config, 1);
    expect(batches.at(config, 1)).toEqual(direct(config, 1));
    expect(batches.at(config, 1)).not.toEqual(direct(config, 2));
  });

  it('draws anew when the settings or the iteration changed since the batch was drawn ahead', () => {
    const batches = new TrainingBatches(ds);
    batches.drawAhead(config, 4);
    const twenty = { ...config, way: 20 };
    const got = batches.at(twenty, 4);
    expect(got.way).toBe(20);
    expect(got).toEqual(direct(twenty, 4));
    batches.drawAhead(config, 4);
    expect(batches.at(config, 5)).toEqual(direct(config, 5));
    // A batch drawn ahead serves once: the next call draws (the same batch) again.
    batches.drawAhead(config, 6);
    expect(batches.at(config, 6)).toEqual(batches.at(config, 6));
  });
});
