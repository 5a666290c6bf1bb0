import { describe, expect, it } from 'vitest';
import * as tf from '../tf';
import { Adam } from './adam';

describe('Adam', () => {
  // f(p) = sum_j c_j (p_j - target_j)^2 over two parameter arrays.
  const init = [Float32Array.from([1.5, -2, 0.25]), Float32Array.from([0.5, 3])];
  const coef = [Float32Array.from([1, 10, 0.1]), Float32Array.from([2, 0.5])];
  const target = [Float32Array.from([0, 1, -1]), Float32Array.from([2, -1])];
  const gradOf = (p: Float32Array[]) => p.map((a, i) => a.map((v, j) => 2 * coef[i][j] * (v - target[i][j])));

  function tfjsAdam(lr: number, steps: number): Float32Array[] {
    const vars = init.map((a) => tf.variable(tf.tensor1d(a)));
    const opt = tf.train.adam(lr);
    const c = coef.map((a) => tf.tensor1d(a));
    const tg = target.map((a) => tf.tensor1d(a));
    for (let s = 0; s < steps; s++) {
      opt.minimize(() => tf.addN(vars.map((v, i) => tf.sum(tf.mul(c[i], tf.square(tf.sub(v, tg[i])))))) as tf.Scalar);
    }
    const out = vars.map((v) => v.dataSync().slice() as Float32Array);
    tf.dispose([vars, c, tg]);
    opt.dispose();
    return out;
  }

  it('matches tf.train.adam step for step', () => {
    const lr = 0.1;
    const steps = 20;
    const expected = tfjsAdam(lr, steps);
    const p = init.map((a) => a.slice());
    const adam = new Adam(lr);
    for (let s = 0; s < steps; s++) adam.step(p, gradOf(p));
    expect(adam.iteration).toBe(steps);
    let maxErr = 0;
    p.forEach((a, i) => a.forEach((v, j) => (maxErr = Math.max(maxErr, Math.abs(v - expected[i][j])))));
    console.log(`Adam vs tf.train.adam after ${steps} steps: max abs difference ${maxErr.toExponential(2)}`);
    expect(maxErr).toBeLessThan(1e-5);
  });

  it('resumes exactly from state()/restore() and honours a changed learning rate', () => {
    const run = (adam: Adam, p: Float32Array[], n: number) => {
      for (let s = 0; s < n; s++) adam.step(p, gradOf(p));
    };
    const a = new Adam(0.05);
    const pa = init.map((x) => x.slice());
    run(a, pa, 5);
    const saved = a.state();
    const pSaved = pa.map((x) => x.slice());
    a.learningRate = 0.01;
    run(a, pa, 5);

    const b = new Adam(0.01);
    b.restore(saved);
    expect(b.iteration).toBe(5);
    run(b, pSaved, 5);
    expect(pSaved).toEqual(pa);

    // A smaller learning rate takes smaller steps.
    const c = new Adam(0.05);
    const pc = init.map((x) => x.slice());
    run(c, pc, 10);
    expect(Math.abs(pc[0][0] - init[0][0])).toBeGreaterThan(Math.abs(pa[0][0] - init[0][0]));
  });

  it('round-trips through checkpoint slots; without slots (or with slots that do not fit) it starts over', () => {
    const a = new Adam(0.05);
    const p = init.map((x) => x.slice());
    for (let s = 0; s < 3; s++) a.step(p, gradOf(p));
    const slots = a.slots([[3], [2]]);
    expect(slots!.map((o) => o.name)).toEqual(['iter', '0/m', '1/m', '0/v', '1/v']);
    const b = new Adam(0.05);
    expect(b.restoreSlots(slots, 2)).toBe(true);
    expect(b.state()).toEqual(a.state());
    expect(b.restoreSlots(undefined, 2)).toBe(false);
    expect(b.iteration).toBe(0);
    expect(b.state().m).toEqual([]);
    b.restore(a.state());
    expect(b.restoreSlots(slots, 3)).toBe(false);
    expect(b.iteration).toBe(0);
    expect(new Adam().slots([[3], [2]])).toBeUndefined();
  });
});
