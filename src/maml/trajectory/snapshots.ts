/**
 * Snapshots of the flattened meta-parameters theta during meta-training, within a fixed
 * memory budget.
 *
 * Recording is on a grid: with interval `every`, iteration i falls in slot floor(i / every)
 * and a slot holds at most one snapshot, the first offered in it. When the store would
 * exceed its capacity it thins itself: the interval doubles and each new (twice as wide)
 * slot keeps only its first snapshot. So it never holds more than `capacity` snapshots,
 * always keeps the first one (iteration 0 of a run) and covers the whole run up to the
 * latest interval; when every iteration is offered, the recorded iterations are exactly
 * 0, every, 2 every, ... (uniform spacing, before and after thinning).
 */

export interface Snapshot {
  iteration: number;
  values: Float32Array;
}

/** Concatenates parameter arrays ([W0, b0, W1, b1, ...]) into one vector, in order. */
export function flatten(arrays: readonly Float32Array[]): Float32Array {
  let n = 0;
  for (const a of arrays) n += a.length;
  const out = new Float32Array(n);
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

/** Inverse of `flatten`: splits a vector into arrays of the given sizes (copies). */
export function unflatten(flat: Float32Array, sizes: readonly number[]): Float32Array[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== flat.length) throw new Error(`unflatten: sizes sum to ${total}, vector has ${flat.length}`);
  const out: Float32Array[] = [];
  let offset = 0;
  for (const s of sizes) {
    out.push(flat.slice(offset, offset + s));
    offset += s;
  }
  return out;
}

export class SnapshotStore {
  private items: Snapshot[] = [];
  private interval: number;

  /**
   * @param capacity most snapshots ever held (at least 2)
   * @param every initial recording interval in iterations (a positive integer); it doubles
   *   at each thinning
   */
  constructor(
    readonly capacity: number,
    private readonly initialEvery: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new Error(`SnapshotStore: capacity must be an integer >= 2, got ${capacity}`);
    if (!Number.isInteger(initialEvery) || initialEvery < 1)
      throw new Error(`SnapshotStore: every must be a positive integer, got ${initialEvery}`);
    this.interval = initialEvery;
  }

  /** The current recording interval (initial interval times 2^thinnings). */
  get every(): number {
    return this.interval;
  }

  get size(): number {
    return this.items.length;
  }

  private slot(iteration: number): number {
    return Math.floor(iteration / this.interval);
  }

  /**
   * Whether a snapshot at `iteration` would be recorded: the store is empty, or the
   * iteration is in a later slot than the last snapshot.
   */
  shouldRecord(iteration: number): boolean {
    const last = this.items[this.items.length - 1];
    return last === undefined || this.slot(iteration) > this.slot(last.iteration);
  }

  /**
   * Records `values` (kept by reference: pass a copy you no longer write to) when
   * `shouldRecord(iteration)`; returns whether it did. Thins when over capacity.
   */
  add(iteration: number, values: Float32Array): boolean {
    if (!Number.isFinite(iteration) || iteration < 0) throw new Error(`SnapshotStore: bad iteration ${iteration}`);
    const first = this.items[0];
    if (first !== undefined && values.length !== first.values.length) {
      throw new Error(`SnapshotStore: snapshot has ${values.length} values, earlier ones ${first.values.length}`);
    }
    if (!this.shouldRecord(iteration)) return false;
    this.items.push({ iteration, values });
    while (this.items.length > this.capacity) this.thin();
    return true;
  }

  /**
   * Records the values from `values()` if `shouldRecord(iteration)`; `values` is only
   * called (and awaited) then. Returns whether it recorded.
   */
  async offer(iteration: number, values: () => Float32Array | Promise<Float32Array>): Promise<boolean> {
    if (!this.shouldRecord(iteration)) return false;
    const v = await values();
    return this.add(iteration, v);
  }

  /** Doubles the interval and keeps the first snapshot of each new slot. */
  private thin() {
    this.interval *= 2;
    const kept: Snapshot[] = [];
    let lastSlot = -1;
    for (const s of this.items) {
      const slot = this.slot(s.iteration);
      if (slot > lastSlot) {
        kept.push(s);
        lastSlot = slot;
      }
    }
    this.items = kept;
  }

  /** Forgets every snapshot and returns to the initial interval (a new run). */
  clear() {
    this.items = [];
    this.interval = this.initialEvery;
  }

  /** The snapshots, oldest first (a new array; the value arrays are shared, do not write to them). */
  snapshots(): Snapshot[] {
    return this.items.slice();
  }
}
