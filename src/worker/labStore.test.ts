import { describe, expect, it, vi } from 'vitest';
import { labStore, sameSettings } from './labStore';

// Node has no IndexedDB: the store behaves as in a browser's private mode that refuses it.
describe('labStore without IndexedDB', () => {
  it('loads nothing, reports the storage as unavailable once, and saving says it did not save', async () => {
    const report = vi.fn();
    const store = labStore<{ n: number }>('test/key', () => null, report);
    expect(await store.load()).toBeNull();
    expect(await store.save({ n: 1 })).toBe(false);
    expect(await store.save({ n: 2 })).toBe(false);
    await store.clear();
    expect(report).toHaveBeenCalledTimes(1);
    expect(report.mock.calls[0][0]).toMatch(/not saved in this browser: its storage is unavailable/);
  });

  it('reports a failed save once when nothing was loaded first', async () => {
    const report = vi.fn();
    const store = labStore<{ n: number }>('test/key', () => null, report);
    expect(await store.save({ n: 1 })).toBe(false);
    expect(await store.save({ n: 1 })).toBe(false);
    expect(report).toHaveBeenCalledTimes(1);
    expect(report.mock.calls[0][0]).toMatch(/runs on without saving/);
  });
});

describe('sameSettings', () => {
  it('ignores key order and compares nested values', () => {
    expect(sameSettings({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(sameSettings({ a: 1, b: [1, 2] }, { a: 1, b: [2, 1] })).toBe(false);
    expect(sameSettings({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(sameSettings({ a: 1 }, { a: '1' })).toBe(false);
  });
});
