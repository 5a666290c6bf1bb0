import { describe, expect, it } from 'vitest';
import { SnapshotStore, flatten, unflatten } from './snapshots';

describe('flatten', () => {
  it('concatenates in order and unflatten inverts it', () => {
    const parts = [Float32Array.of(1, 2, 3), Float32Array.of(), Float32Array.of(4), Float32Array.of(5, 6)];
    const flat = flatten(parts);
    expect(Array.from(flat)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(
      unflatten(
        flat,
        parts.map((p) => p.length),
      ).map((a) => Array.from(a)),
    ).toEqual(parts.map((p) => Array.from(p)));
    expect(() => unflatten(flat, [1, 2])).toThrow();
  });
});

describe('SnapshotStore', () => {
  it('keeps at most `capacity` uniformly spaced snapshots covering 100,000 iterations', () => {
    const store = new SnapshotStore(64, 10);
    let maxSize = 0;
    let recorded = 0;
    for (let it = 0; it < 100_000; it++) {
      if (store.shouldRecord(it)) {
        if (store.add(it, Float32Array.of(it, -it))) recorded++;
        maxSize = Math.max(maxSize, store.size);
      }
    }
    const snaps = store.snapshots();
    expect(maxSize).toBeLessThanOrEqual(64);
    expect(recorded).toBeGreaterThan(64);
    expect(snaps[0].iteration).toBe(0);
    const last = snaps[snaps.length - 1].iteration;
    expect(last).toBeGreaterThan(100_000 - 1 - store.every); // within one interval of now
    // Thinned more than once; the interval stays the initial one times a power of two.
    expect(store.every).toBe(10 * 256);
    expect(snaps.length).toBe(Math.ceil(100_000 / store.every));
    snaps.forEach((s, i) => {
      expect(s.iteration).toBe(i * store.every); // increasing, uniform spacing
      expect(Array.from(s.values)).toEqual([s.iteration, -s.iteration]); // values follow their iteration
    });
  });

  it('stays within capacity and keeps the first snapshot when offered at irregular iterations', async () => {
    const store = new SnapshotStore(16, 3);
    let it = 0;
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let k = 0; k < 5000; k++) {
      await store.offer(it, () => Float32Array.of(it));
      expect(store.size).toBeLessThanOrEqual(16);
      it += 1 + Math.floor(rand() * 40);
    }
    const snaps = store.snapshots();
    expect(snaps[0].iteration).toBe(0);
    for (let i = 1; i < snaps.length; i++) {
      expect(snaps[i].iteration).toBeGreaterThan(snaps[i - 1].iteration);
      // One snapshot per slot of the current interval.
      expect(Math.floor(snaps[i].iteration / store.every)).toBeGreaterThan(Math.floor(snaps[i - 1].iteration / store.every));
    }
    expect(snaps[snaps.length - 1].iteration).toBeGreaterThan(it - 2 * store.every - 40);
  });

  it('calls the values callback only when it records, ignores repeats, and clears', async () => {
    const store = new SnapshotStore(4, 5);
    let calls = 0;
    const values = async () => {
      calls++;
      return Float32Array.of(calls);
    };
    expect(await store.offer(0, values)).toBe(true);
    expect(await store.offer(0, values)).toBe(false);
    expect(await store.offer(4, values)).toBe(false);
    expect(await store.offer(5, values)).toBe(true);
    expect(calls).toBe(2);
    expect(store.add(7, Float32Array.of(9))).toBe(false);
    expect(() => store.add(100, Float32Array.of(1, 2))).toThrow(); // wrong length
    store.clear();
    expect(store.size).toBe(0);
    expect(store.every).toBe(5);
    expect(store.shouldRecord(3)).toBe(true);
    expect(() => new SnapshotStore(1, 5)).toThrow();
    expect(() => new SnapshotStore(8, 0)).toThrow();
  });
});
