import { describe, expect, it } from 'vitest';
import { loadOmniglot } from '../lib/omniglotData';
import { OMNIGLOT_PIXELS } from '../../src/maml/omniglot/pack';
import { createRng } from '../../src/maml/random';
import { writeImage } from '../../src/maml/omniglot/pack';
import {
  checkEpisodeSpec,
  randomWarp,
  resolveAlphabet,
  sampleEpisodes,
  trainingBatch,
  WITHIN_ANY_ALPHABET,
} from '../../src/maml/omniglot/tasks';

const ds = loadOmniglot();

describe('Omniglot episode sampler', () => {
  it.each([
    [5, 1, 3, false],
    [20, 5, 1, false],
    [2, 3, 2, true],
  ])('%i-way %i-shot, %i queries: shapes, labels, disjoint support and query, one split', (way, shot, queries, rotations) => {
    const split = rotations ? 'train' : 'test';
    const b = sampleEpisodes(ds, split, { way, shot, queries, rotations }, 4, createRng('s'));
    expect(b.support.length).toBe(4 * way * shot * OMNIGLOT_PIXELS);
    expect(b.query.length).toBe(4 * way * queries * OMNIGLOT_PIXELS);
    const alphabets = new Set(ds.classes[split].map((c) => c.alphabet));
    for (let t = 0; t < 4; t++) {
      const classes = b.classes[t];
      expect(classes).toHaveLength(way);
      // Distinct classes (a rotation of a character is a class of its own).
      expect(new Set(classes.map((c) => `${c.character}/${c.alphabet}/${c.quarterTurns}`)).size).toBe(way);
      for (const c of classes) {
        expect(alphabets.has(c.alphabet)).toBe(true);
        expect(new Set(c.images).size).toBe(shot + queries); // support and query drawings never repeat
        if (!rotations) expect(c.quarterTurns).toBe(0);
      }
      const labels = Array.from(b.supportLabels.subarray(t * way * shot, (t + 1) * way * shot));
      for (let l = 0; l < way; l++) expect(labels.filter((x) => x === l)).toHaveLength(shot);
      const ql = Array.from(b.queryLabels.subarray(t * way * queries, (t + 1) * way * queries));
      for (let l = 0; l < way; l++) expect(ql.filter((x) => x === l)).toHaveLength(queries);
    }
    expect(b.support.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('within one alphabet: every class from it, support by the same drawers for all classes and queries by others', () => {
    const drawerOf = (image: number) => {
      for (const a of ds.index.alphabets)
        for (const c of a.characters) if (image >= c.first && image < c.first + c.count) return c.drawers[image - c.first];
      throw new Error(`image ${image} is in no character`);
    };
    for (const alphabet of ['Japanese_(katakana)', 'Tagalog', WITHIN_ANY_ALPHABET]) {
      const way = alphabet === 'Tagalog' ? 17 : 20;
      const b = sampleEpisodes(ds, 'test', { way, shot: 2, queries: 3, rotations: false, alphabet }, 6, createRng(`within/${alphabet}`));
      for (const classes of b.classes) {
        expect(new Set(classes.map((c) => c.alphabet)).size).toBe(1);
        if (alphabet !== WITHIN_ANY_ALPHABET) expect(classes[0].alphabet).toBe(alphabet);
        expect(new Set(classes.map((c) => c.character)).size).toBe(way);
        const drawers = classes.map((c) => c.images.map(drawerOf));
        for (const d of drawers) expect(d).toEqual(drawers[0]); // the same drawers, in the same roles, for every class
        expect(new Set(drawers[0]).size).toBe(5); // support drawers (2) and query drawers (3) differ
      }
    }
    // Any alphabet: only katakana has 20 held-out characters, so it is always katakana at 20-way; both appear at 10.
    const ten = sampleEpisodes(
      ds,
      'test',
      { way: 10, shot: 1, queries: 1, rotations: false, alphabet: WITHIN_ANY_ALPHABET },
      40,
      createRng('any'),
    );
    expect(new Set(ten.classes.map((e) => e[0].alphabet))).toEqual(new Set(['Japanese_(katakana)', 'Tagalog']));
  });

  it('a within-alphabet share of a training batch: the first round(share x tasks) episodes in one alphabet each, the rest as before', () => {
    const spec = { way: 20, shot: 1, queries: 2, rotations: true };
    const mixed = trainingBatch(ds, spec, 8, 1, 3);
    expect(trainingBatch(ds, { ...spec, within: 0 }, 8, 1, 3).support).toEqual(mixed.support); // no share: the same stream
    const b = trainingBatch(ds, { ...spec, within: 0.5 }, 8, 1, 3);
    const alphabetsPer = b.classes.map((e) => new Set(e.map((c) => c.alphabet)).size);
    expect(alphabetsPer.slice(0, 4)).toEqual([1, 1, 1, 1]);
    // 20 classes drawn from 178 characters of 6 alphabets land in one alphabet with probability ~0.
    for (const n of alphabetsPer.slice(4)) expect(n).toBeGreaterThan(1);
    expect(() => checkEpisodeSpec({ ...spec, within: 1.5 }, ds, 'train')).toThrow('the within-alphabet share must be from 0 to 1');
  });

  it('names what a within-alphabet episode cannot have', () => {
    expect(() => checkEpisodeSpec({ way: 20, shot: 1, queries: 1, rotations: false, alphabet: 'Tagalog' }, ds, 'test')).toThrow(
      'Tagalog has 17 characters, fewer than 20',
    );
    expect(() => checkEpisodeSpec({ way: 5, shot: 1, queries: 1, rotations: false, alphabet: 'Korean' }, ds, 'test')).toThrow(
      'Korean is not an alphabet of the test split',
    );
    expect(resolveAlphabet(ds, 'test', 'katakana')).toBe('Japanese_(katakana)');
    expect(resolveAlphabet(ds, 'test', 'TAGALOG')).toBe('Tagalog');
    expect(() => resolveAlphabet(ds, 'test', 'Latin')).toThrow('"Latin" is none of the test alphabets: Japanese_(katakana), Tagalog');
    expect(() => resolveAlphabet(ds, 'test', 'a')).toThrow('"a" matches several of the test alphabets');
  });

  it('affine augmentation: the identity warp changes nothing; a random one moves ink but keeps most of it, one warp per class', () => {
    const plain = new Float32Array(784);
    const same = new Float32Array(784);
    writeImage(ds, 10, 1, plain, 0, 2, -1);
    writeImage(ds, 10, 1, same, 0, 2, -1, [1, 0, 0, 1]);
    for (let i = 0; i < 784; i++) expect(same[i]).toBeCloseTo(plain[i], 6);
    expect(randomWarp(createRng('w'), 0)).toEqual([1, -0, -0, 1]);
    const ink = (x: Float32Array) => x.reduce((s, v) => s + v, 0);
    const rng = createRng('warps');
    for (let k = 0; k < 20; k++) {
      const w = randomWarp(rng, 1);
      const det = w[0] * w[3] - w[1] * w[2];
      expect(1 / det).toBeGreaterThan(0.85 ** 2 - 1e-9); // area scale within the scale limits
      expect(1 / det).toBeLessThan(1.15 ** 2 + 1e-9);
      const warped = new Float32Array(784);
      writeImage(ds, 100 + k, 0, warped, 0, 0, 0, w);
      const base = new Float32Array(784);
      writeImage(ds, 100 + k, 0, base, 0);
      expect(ink(warped) / ink(base)).toBeGreaterThan(0.6);
      expect(ink(warped) / ink(base)).toBeLessThan(1.5);
      expect(warped).not.toEqual(base);
    }
    // Episodes with the augmentation are seeded like any others.
    const spec = { way: 3, shot: 1, queries: 1, rotations: false, affine: 1 };
    expect(sampleEpisodes(ds, 'train', spec, 2, createRng('a')).support).toEqual(
      sampleEpisodes(ds, 'train', spec, 2, createRng('a')).support,
    );
  });

  it('never mixes the held-out alphabets into training', () => {
    const b = trainingBatch(ds, { way: 20, shot: 1, queries: 1, rotations: true }, 50, 1, 0);
    const seen = new Set(b.classes.flat().map((c) => c.alphabet));
    expect(seen.has('Tagalog') || seen.has('Japanese_(katakana)')).toBe(false);
  });

  it('shuffles labels per episode, uses rotations, and is seeded', () => {
    const spec = { way: 5, shot: 1, queries: 1, rotations: true };
    const a = trainingBatch(ds, spec, 32, 7, 3);
    const b = trainingBatch(ds, spec, 32, 7, 3);
    const c = trainingBatch(ds, spec, 32, 7, 4);
    expect(a.support).toEqual(b.support);
    expect(a.support).not.toEqual(c.support);
    // Label 0 is not always the same (alphabet-ordered) class.
    expect(new Set(a.classes.map((e) => e[0].character + e[0].alphabet)).size).toBeGreaterThan(20);
    expect(new Set(a.classes.flat().map((e) => e.quarterTurns))).toEqual(new Set([0, 1, 2, 3]));
  });

  it('rotates images by quarter turns', () => {
    const spec = { way: 2, shot: 1, queries: 1, rotations: true };
    const b = trainingBatch(ds, spec, 40, 3, 0);
    const cls = b.classes.flat().find((c) => c.quarterTurns === 2)!;
    const t = b.classes.findIndex((e) => e.includes(cls));
    const label = b.classes[t].indexOf(cls);
    const img = b.support.subarray((t * 2 + label) * OMNIGLOT_PIXELS, (t * 2 + label + 1) * OMNIGLOT_PIXELS);
    const orig = ds.pixels.subarray(cls.images[0] * OMNIGLOT_PIXELS, (cls.images[0] + 1) * OMNIGLOT_PIXELS);
    for (let i = 0; i < OMNIGLOT_PIXELS; i++) expect(img[OMNIGLOT_PIXELS - 1 - i]).toBeCloseTo(orig[i] / 255, 6);
  });

  it('shifts drawings by whole pixels when asked, paper filling in', () => {
    const a = trainingBatch(ds, { way: 5, shot: 1, queries: 1, rotations: false, shift: 2 }, 4, 9, 0);
    let shifted = 0;
    for (const [t, episode] of a.classes.entries()) {
      episode.forEach((c, label) => {
        const img = a.support.subarray((t * 5 + label) * OMNIGLOT_PIXELS, (t * 5 + label + 1) * OMNIGLOT_PIXELS);
        const orig = ds.pixels.subarray(c.images[0] * OMNIGLOT_PIXELS, (c.images[0] + 1) * OMNIGLOT_PIXELS);
        // Some shift (dx, dy) in [-2, 2]^2 maps the original onto the image.
        const fits = [-2, -1, 0, 1, 2]
          .flatMap((dx) => [-2, -1, 0, 1, 2].map((dy) => [dx, dy]))
          .filter(([dx, dy]) => {
            for (let y = 0; y < 28; y++)
              for (let x = 0; x < 28; x++) {
                const sx = x - dx;
                const sy = y - dy;
                const want = sx >= 0 && sx < 28 && sy >= 0 && sy < 28 ? orig[sy * 28 + sx] / 255 : 0;
                if (Math.abs(img[y * 28 + x] - want) > 1e-6) return false;
              }
            return true;
          });
        expect(fits.length).toBeGreaterThan(0);
        if (!fits.some(([dx, dy]) => dx === 0 && dy === 0)) shifted++;
      });
    }
    expect(shifted).toBeGreaterThan(5);
  });

  it('rejects impossible episodes with a message', () => {
    expect(() => checkEpisodeSpec({ way: 21, shot: 1, queries: 1, rotations: false })).toThrow(/way must be/);
    expect(() => checkEpisodeSpec({ way: 5, shot: 0, queries: 1, rotations: false })).toThrow(/shot must be/);
    expect(() => checkEpisodeSpec({ way: 5, shot: 1, queries: 16, rotations: false })).toThrow(/queries must be/);
    expect(() => checkEpisodeSpec({ way: 5, shot: 5, queries: 15, rotations: false }, ds, 'test')).not.toThrow();
  });
});
