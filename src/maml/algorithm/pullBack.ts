/**
 * MAML's second-order term, one implementation for every network and engine: the query
 * gradient v at the adapted parameters, pulled back through the inner steps
 * θ_{s+1} = θ_s − α ∇L_s(θ_s), whose Jacobians are I − α H_s:
 *
 *   v ← v − α H_s v,   for s = K − 1, …, 0.
 *
 * `hvp(s, v)` is the network's Hessian-vector product of step s's support loss at θ_s (the
 * sinusoid MLP kernel, the conv-4 network on arrays or on tensors, the Gaussian policy);
 * `axpy(v, a, h)` is v + a·h in the engine's vector type.
 */
import type { Vec } from '../networks/gemm';

export function pullBack<V>(v: V, steps: number, alpha: number, hvp: (step: number, v: V) => V, axpy: (v: V, a: number, h: V) => V): V {
  for (let s = steps - 1; s >= 0; s--) v = axpy(v, -alpha, hvp(s, v));
  return v;
}

/** v + a·h over parameter arrays, written into v. */
export function axpyInPlace<T extends Vec>(v: T[], a: number, h: Vec[]): T[] {
  for (let p = 0; p < v.length; p++) {
    const vp = v[p];
    const hp = h[p];
    for (let j = 0; j < vp.length; j++) vp[j] += a * hp[j];
  }
  return v;
}
