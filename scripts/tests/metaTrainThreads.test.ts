import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metaTrainOmniglot } from '../lib/metaTrainOmniglot';

/**
 * `meta-train --threads N` through real helper processes (each rebuilds the seeded batch and
 * sends its share's task gradients back): the checkpoint after a few meta-iterations is the
 * same bytes as on one thread.
 */
describe('meta-train --threads', () => {
  it('3 processes write the checkpoint of 1, byte for byte', async () => {
    const run = async (threads: number) => {
      const out = mkdtempSync(join(tmpdir(), `threads-${threads}-`));
      await metaTrainOmniglot({
        iterations: 2,
        out,
        fresh: true,
        saveEvery: 2,
        logEvery: 2,
        evalEvery: 0,
        evalEpisodes: 0,
        backend: 'wasm',
        threads,
        overrides: { filters: 8, metaBatch: 5, trainSteps: 2 },
      });
      const weights = readFileSync(join(out, 'weights.bin'));
      rmSync(out, { recursive: true });
      return weights;
    };
    const one = await run(1);
    const three = await run(3);
    expect(three.length).toBe(one.length);
    expect(three.equals(one)).toBe(true);
  });
});
