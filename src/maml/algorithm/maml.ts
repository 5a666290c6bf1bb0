/**
 * MAML, once, for every network and engine that has explicit derivatives (the sinusoid MLP
 * kernel, the conv-4 network on arrays or on tensors, the Gaussian policy). A network meets
 * MAML through a `MamlTask`: one task's support loss, which MAML steps on and differentiates
 * twice (its gradient, and its Hessian times a vector), and its query loss, differentiated
 * once. Parameters `P` are whatever the engine holds: a list of Float32Arrays, of
 * Float64Arrays (the tests' references), or of tfjs tensors with every task at once.
 *
 *   inner loop:     θ_{s+1} = θ_s − α ∇L_support(θ_s),  s = 0 … K−1
 *   second order:   g = (I − αH_0) … (I − αH_{K−1}) ∇L_query(θ_K)   (the pull-back below)
 *   first order:    g = ∇L_query(θ_K)
 *   Reptile:        g = θ_0 − θ_K
 *
 * The pretrained baseline is the same call with no inner steps on a task whose query pools
 * all its points: g = ∇L_pooled(θ). The tfjs autodiff engine (metaGradient.ts) gets the same
 * numbers from tfjs's tape instead, and is checked against the same float64 references.
 */
import type { Vec } from '../networks/gemm';

/** The three ways to turn a task's adaptation into a gradient for θ. */
export type MamlVariant = 'maml2' | 'maml1' | 'reptile';

export interface MamlTask<P, Q> {
  /** One inner step θ_{s+1} = θ_s − α ∇L_support(θ_s); keeps what `hvp(s, ·)` needs. It may return a buffer it owns. */
  innerStep(s: number, params: P, alpha: number): P;
  /** H_s v: the support loss's Hessian at the parameters of inner step s, times v (the R-operator). It may return a buffer it owns. */
  hvp(s: number, v: P): P;
  /** The query loss at the adapted parameters: its gradient, and what the caller reports (losses, accuracy, clipping). */
  query(params: P): { grads: P; result: Q };
}

/** The two vector operations MAML needs, in the engine's parameter type. */
export interface ParamAlgebra<P> {
  /** v + a·h; may write into v and return it. */
  axpy(v: P, a: number, h: P): P;
  /** a − b, as new parameters. */
  subtract(a: P, b: P): P;
}

export interface MamlOptions {
  alpha: number;
  steps: number;
  variant: MamlVariant;
}

export interface MamlResult<P, Q> {
  /** The task's contribution to the meta-gradient. May be a buffer the task or the query owns. */
  grads: P;
  /** The query's report at the adapted parameters. */
  query: Q;
  /** θ_K. */
  adapted: P;
}

/** One task's meta-gradient of the chosen variant. */
export function mamlGradient<P, Q>(task: MamlTask<P, Q>, algebra: ParamAlgebra<P>, theta: P, o: MamlOptions): MamlResult<P, Q> {
  let params = theta;
  for (let s = 0; s < o.steps; s++) params = task.innerStep(s, params, o.alpha);
  const q = task.query(params);
  let grads = q.grads;
  if (o.variant === 'reptile') grads = algebra.subtract(theta, params);
  else if (o.variant === 'maml2') grads = pullBack(grads, o.steps, o.alpha, (s, v) => task.hvp(s, v), algebra.axpy);
  return { grads, query: q.result, adapted: params };
}

/**
 * MAML's second-order term: the query gradient v at the adapted parameters pulled back
 * through the inner steps, whose Jacobians are I − αH_s (H symmetric):
 *   v ← v − α H_s v,   for s = K − 1, …, 0.
 */
export function pullBack<P>(v: P, steps: number, alpha: number, hvp: (step: number, v: P) => P, axpy: (v: P, a: number, h: P) => P): P {
  for (let s = steps - 1; s >= 0; s--) v = axpy(v, -alpha, hvp(s, v));
  return v;
}

type Arrays = Vec[];

/** Parameter lists of typed arrays: axpy in place, subtract into new arrays of a's type. */
export const arrayAlgebra: ParamAlgebra<Arrays> = {
  axpy: axpyInPlace,
  subtract(a, b) {
    return a.map((p, i) => {
      const d = p.slice();
      const q = b[i];
      for (let j = 0; j < d.length; j++) d[j] -= q[j];
      return d;
    });
  },
};

/** v + a·h over parameter arrays, written into v. */
export function axpyInPlace<T extends Vec>(v: T[], a: number, h: ArrayLike<number>[]): T[] {
  for (let p = 0; p < v.length; p++) {
    const vp = v[p];
    const hp = h[p];
    for (let j = 0; j < vp.length; j++) vp[j] += a * hp[j];
  }
  return v;
}

/** θ − α g as new arrays of θ's type: the plain inner step of the array engines. */
export function sgdStep<T extends Vec>(theta: T[], g: ArrayLike<number>[], alpha: number): T[] {
  return theta.map((p, i) => {
    const q = p.slice() as T;
    const gi = g[i];
    for (let j = 0; j < q.length; j++) q[j] -= alpha * gi[j];
    return q;
  });
}
