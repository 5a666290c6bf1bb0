import { afterEach, describe, expect, it, vi } from 'vitest';
import { messageBatch } from './messageBatch';

describe('messageBatch', () => {
  afterEach(() => vi.useRealTimers());
  it('delivers everything pushed within one interval as one batch, in order', () => {
    vi.useFakeTimers();
    const batches: number[][] = [];
    const b = messageBatch<number>((ms) => batches.push(ms), 100);
    for (let i = 0; i < 5; i++) b.push(i);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(99);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([[0, 1, 2, 3, 4]]);
    b.push(5);
    b.flush();
    expect(batches).toEqual([[0, 1, 2, 3, 4], [5]]);
    vi.advanceTimersByTime(500);
    expect(batches.length).toBe(2);
    b.push(6);
    b.cancel();
    vi.advanceTimersByTime(500);
    expect(batches.length).toBe(2);
  });
});
