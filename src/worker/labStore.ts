/**
 * A lab's own trained state in this browser's IndexedDB (idb-keyval), so training survives a
 * reload until the user starts fresh. One key per lab (and RL task family). What is read back
 * is checked before use: a state that cannot be restored is named, and dropped. When IndexedDB
 * is unavailable (private mode, blocked) or full, the lab is told once and runs on without saving.
 */
import { del, get, set } from 'idb-keyval';

export type Loaded<T> = { value: T } | { problem: string } | null;

export interface LabStore<T> {
  /** The saved state, the reason it cannot be used, or null when nothing is saved. */
  load(): Promise<Loaded<T>>;
  /** Saves; false when it could not (the first failure is reported). */
  save(value: T): Promise<boolean>;
  clear(): Promise<void>;
}

/**
 * `check` returns why a stored value is unusable (null when it is fine); `report` is told once
 * when saving fails.
 */
export function labStore<T>(key: string, check: (value: T) => string | null, report: (message: string) => void): LabStore<T> {
  let reported = false;
  return {
    async load() {
      let value: T | undefined;
      try {
        value = (await get(key)) as T | undefined;
      } catch (e) {
        reported = true;
        report(`Training is not saved in this browser: its storage is unavailable (${(e as Error).message || 'IndexedDB refused'}).`);
        return null;
      }
      if (value === undefined) return null;
      let problem: string | null;
      try {
        problem = check(value);
      } catch (e) {
        problem = (e as Error).message;
      }
      if (problem === null) return { value };
      await remove(key);
      return { problem };
    },
    async save(value) {
      try {
        await set(key, value);
        return true;
      } catch (e) {
        if (!reported) {
          reported = true;
          const full = (e as Error).name === 'QuotaExceededError';
          report(
            `Training is not saved in this browser: ${full ? 'its storage is full' : `its storage is unavailable (${(e as Error).message || 'IndexedDB refused'})`}. The lab runs on without saving.`,
          );
        }
        return false;
      }
    },
    clear: () => remove(key),
  };
}

/** Deletes a key; nothing to do when IndexedDB is unavailable (idb-keyval may throw before it returns a promise). */
async function remove(key: string): Promise<void> {
  try {
    await del(key);
  } catch {
    /* nothing saved */
  }
}

/** Every array is a Float32Array of finite numbers. */
export function finiteArrays(arrays: unknown): boolean {
  return Array.isArray(arrays) && arrays.every((t) => t instanceof Float32Array && t.every(Number.isFinite));
}

/** Equal as JSON with keys in any order (settings objects from a link or from storage). */
export function sameSettings(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
