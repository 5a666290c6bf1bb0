import { describe, expect, it } from 'vitest';
import { RateMeter } from './rateMeter';

describe('RateMeter', () => {
  it('gives a provisional rate in a run’s first window, then the rate over each full window', () => {
    let t = 0;
    const m = new RateMeter(2000, () => t);
    m.start(false);
    expect(m.read()).toBe(0); // nothing done yet
    t = 100;
    m.add();
    expect(m.read()).toBe(0); // too early to say
    t = 500;
    expect(m.read()).toBe(2); // 1 iteration in 0.5 s, provisional
    t = 1500;
    m.add(2);
    expect(m.read()).toBe(2); // the provisional value stands until the window is full
    t = 2000;
    m.add(3);
    expect(m.read()).toBe(3); // 6 iterations in 2 s
    t = 3000;
    m.add(4);
    expect(m.read()).toBe(3);
    t = 4000;
    expect(m.read()).toBe(2); // 4 in the second window
  });

  it('a restarted run keeps the last rate when asked to, or starts from 0', () => {
    let t = 0;
    const m = new RateMeter(1000, () => t);
    m.add(10);
    t = 1000;
    expect(m.read()).toBe(10);
    m.start(true);
    t = 1100;
    expect(m.read()).toBe(10);
    m.start(false);
    expect(m.read()).toBe(0);
    t = 1400;
    m.add();
    expect(m.read()).toBeCloseTo(1000 / 300);
  });
});
