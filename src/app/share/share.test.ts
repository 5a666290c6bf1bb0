import { describe, expect, it } from 'vitest';
import { MAX_MANIFEST_BYTES, MAX_WEIGHTS_BYTES, readCheckpointFiles } from './checkpointFiles';
import { curvesCsv } from './curvesCsv';

const file = (name: string, data: BlobPart | number) => new File([typeof data === 'number' ? new Uint8Array(data) : data], name);

describe('checkpoint files', () => {
  it('reads a manifest and its weights in either order', async () => {
    const r = await readCheckpointFiles([file('w.weights.bin', new Uint8Array([1, 2, 3, 4])), file('m.json', '{"format":"x"}')]);
    expect('error' in r).toBe(false);
    if ('error' in r) return;
    expect(r.manifest).toEqual({ format: 'x' });
    expect(r.weights.byteLength).toBe(4);
  });

  it('refuses wrong counts, kinds, oversized files and bad JSON with a message', async () => {
    const err = async (files: File[]) => {
      const r = await readCheckpointFiles(files);
      return 'error' in r ? r.error : 'accepted';
    };
    expect(await err([file('m.json', '{}')])).toMatch(/two files.*1 chosen/);
    expect(await err([file('m.json', '{}'), file('w.txt', 4)])).toMatch(/one .json manifest and one .bin/);
    expect(await err([file('m.json', MAX_MANIFEST_BYTES + 1), file('w.bin', 4)])).toMatch(/manifest m.json is .* over the limit/);
    expect(await err([file('m.json', '{}'), file('w.bin', MAX_WEIGHTS_BYTES + 1)])).toMatch(/weights file w.bin .* over the limit/);
    expect(await err([file('m.json', '{"a":'), file('w.bin', 4)])).toMatch(/not valid JSON/);
    expect(await err([file('m.json', '[1,2]'), file('w.bin', 4)])).toMatch(/not a JSON object/);
  });
});

describe('curves as CSV', () => {
  it('writes a header and one row per point, compared methods included', () => {
    const csv = curvesCsv(
      [
        { iteration: 1, pre: 3, post: 2, basePre: 3.5, basePost: 3.4, methods: { maml2: [3, 2], 'maml1-k1': [3.1, NaN] } },
        { iteration: 2, pre: 2.5, post: 1.5, basePre: 3.3, basePost: 3.2, methods: { maml2: [2.5, 1.5] } },
      ],
      [{ algorithm: 'maml2' }, { algorithm: 'maml1', shots: 1 }],
    );
    expect(csv.trim().split('\n')).toEqual([
      'iteration,learner_pre,learner_post,baseline_pre,baseline_post,maml2_pre,maml2_post,maml1-k1_pre,maml1-k1_post',
      '1,3,2,3.5,3.4,3,2,3.1,',
      '2,2.5,1.5,3.3,3.2,2.5,1.5,,',
    ]);
  });
});
