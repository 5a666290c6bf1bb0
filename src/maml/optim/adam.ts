/**
 * Adam, the outer optimiser of every learner that does not run on tfjs's own optimiser
 * (the fused sinusoid kernel, the conv-4 network, the Gaussian policy), and its
 * checkpoint codec: the same slots, in the same order, as tfjs's AdamOptimizer weights,
 * so a checkpoint written by either kind of learner restores in the other.
 */
import type { LearnerState } from '../checkpoint';

export interface AdamState {
  /** First and second moment estimates, one per parameter array. */
  m: Float32Array[];
  v: Float32Array[];
  /** Number of updates applied so far. */
  iterations: number;
}

/** Adam's slots in a checkpoint (tfjs's weight order: iteration, first moments, second moments). */
export type AdamSlots = LearnerState['optimizer'];

/**
 * Adam on Float32Array parameters, updated in place, with the formulas of tfjs's
 * AdamOptimizer (tfjs-core/dist/optimizers/adam_optimizer.js) and its defaults
 * (beta1 0.9, beta2 0.999, epsilon 1e-7, the float32 backends' epsilon):
 *   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,
 *   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)   at update t = 1, 2, ...
 * tfjs keeps b^t as a float32 scalar multiplied by b after each update; here b^t is
 * computed from t (in float32 too), so that restore() resumes bit for bit. The two
 * differ by float32 rounding of b^t only.
 */
export class Adam {
  private m: Float32Array[] = [];
  private v: Float32Array[] = [];
  private iterations = 0;

  constructor(
    public learningRate = 0.001,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
  ) {}

  /** Number of updates applied so far. */
  get iteration(): number {
    return this.iterations;
  }

  /** One update of params (in place) from grads. */
  step(params: Float32Array[], grads: Float32Array[]): void {
    if (this.m.length === 0) {
      this.m = params.map((p) => new Float32Array(p.length));
      this.v = params.map((p) => new Float32Array(p.length));
    }
    if (params.length !== this.m.length || grads.length !== params.length) {
      throw new Error('Adam: parameter and gradient lists must match the optimizer state');
    }
    const { beta1: b1, beta2: b2, epsilon: eps, learningRate: lr } = this;
    const t = this.iterations + 1;
    // Bias corrections 1 - b^t, as tfjs's float32 `sub(1, accBeta)`.
    const c1 = Math.fround(1 - Math.fround(Math.pow(Math.fround(b1), t)));
    const c2 = Math.fround(1 - Math.fround(Math.pow(Math.fround(b2), t)));
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const g = grads[i];
      const m = this.m[i];
      const v = this.v[i];
      for (let j = 0; j < p.length; j++) {
        const gj = g[j];
        const mj = (m[j] = b1 * m[j] + (1 - b1) * gj);
        const vj = (v[j] = b2 * v[j] + (1 - b2) * gj * gj);
        p[j] -= (lr * (mj / c1)) / (Math.sqrt(vj / c2) + eps);
      }
    }
    this.iterations = t;
  }

  /** A copy of the moments and the iteration count. */
  state(): AdamState {
    return { m: this.m.map((a) => a.slice()), v: this.v.map((a) => a.slice()), iterations: this.iterations };
  }

  /** Continues from a state() (copied). */
  restore(state: AdamState): void {
    this.m = state.m.map((a) => a.slice());
    this.v = state.v.map((a) => a.slice());
    this.iterations = state.iterations;
  }

  /** Starts over: no moments, no updates. */
  reset(): void {
    this.m = [];
    this.v = [];
    this.iterations = 0;
  }

  /** The state as checkpoint slots (none before the first update). */
  slots(shapes: number[][]): AdamSlots {
    return adamSlots(this.state(), shapes);
  }

  /**
   * Continues from checkpoint slots for `n` parameter arrays; without slots that fit (a
   * checkpoint saved without its optimiser), starts over, since moments estimated at
   * another theta would steer the first updates wrongly. Returns whether slots were used.
   */
  restoreSlots(slots: AdamSlots, n: number): boolean {
    const s = adamFromSlots(slots, n);
    if (s) this.restore(s);
    else this.reset();
    return !!s;
  }
}

/** Adam's state as checkpoint slots, in tfjs's Adam weight order: iteration, first moments, second moments. */
export function adamSlots(s: AdamState, shapes: number[][]): AdamSlots {
  return s.m.length
    ? [
        { name: 'iter', values: Float32Array.of(s.iterations), shape: [] },
        ...s.m.map((m, i) => ({ name: `${i}/m`, values: m, shape: shapes[i] })),
        ...s.v.map((v, i) => ({ name: `${i}/v`, values: v, shape: shapes[i] })),
      ]
    : undefined;
}

/** The inverse of adamSlots; null when the slots do not fit `n` parameters. */
export function adamFromSlots(o: AdamSlots, n: number): AdamState | null {
  if (!o || o.length !== 2 * n + 1) return null;
  return { iterations: o[0].values[0], m: o.slice(1, n + 1).map((x) => x.values), v: o.slice(n + 1).map((x) => x.values) };
}
