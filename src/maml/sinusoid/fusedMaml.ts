/**
 * A hand-written float32 MAML meta-iteration for a small fully connected ReLU MLP,
 * in plain loops over Float32Array with no tfjs. tfjs pays a fixed cost per op,
 * which dominates for networks this small; here one meta-iteration is a few
 * million multiply-adds with no allocation.
 *
 * Network: h_0 = x, z_l = h_l W_l + b_l, h_{l+1} = relu(z_l) for hidden layers,
 * output z_{L-1} (linear). Loss: mean squared error over all output elements.
 * Parameters [W0, b0, W1, b1, ...], W_l row-major [in, out], b_l [out] (mlpShapes).
 *
 * Second-order MAML backpropagates through the inner steps with Hessian-vector
 * products computed by Pearlmutter's R-operator (R{f} = d/dr f(theta + r v) at r = 0):
 *
 *   R-forward:  Rz_l = Rh_l W_l + h_l V_Wl + V_bl,   Rh_{l+1} = Rz_l * [z_l > 0],   Rh_0 = 0
 *   R-backward: Rdz_out = 2 Rout / n
 *               R gW_l = Rh_l^T dz_l + h_l^T Rdz_l,  R gb_l = colsum(Rdz_l)
 *               Rdz_{l-1} = (Rdz_l W_l^T + dz_l V_Wl^T) * [z_{l-1} > 0]
 *
 * giving H v = (R gW_l, R gb_l). The ReLU masks are constant almost everywhere (its
 * second derivative is zero), so they are reused from the plain forward pass.
 *
 * Speed: the dense-layer kernels (denseKernels.ts) visit only the nonzero ReLU
 * activations, in WebAssembly SIMD where the engine has it (denseSimd.ts) and in
 * register-blocked JavaScript otherwise; for a scalar input, layer 1 at theta is tabulated
 * as a piecewise-linear function of x (ScalarInputTable). Work buffers are allocated once,
 * in the kernels' own memory.
 */
import { mlpShapes } from '../networks/mlp';
import {
  biasGrad,
  countingArena,
  indexColumns,
  indexRows,
  jsEngine,
  makeSparsity,
  type Arena,
  type DenseEngine,
  type DenseKernels,
  type Sparsity,
} from './denseKernels';
import { simdEngine } from './denseSimd';
import type { RegressionBatch } from './tasks';
import { arrayAlgebra, mamlGradient, type MamlTask } from '../algorithm/maml';

export interface FusedMamlOptions {
  /** Inner-loop learning rate. */
  alpha: number;
  /** Number of inner gradient steps on each task's support set. */
  steps: number;
  /** 2: exact second-order MAML; 1: first-order MAML (the query gradient at the adapted parameters). */
  order: 2 | 1;
}

/** The kernels the fused kernel runs on by default: WebAssembly SIMD where available, else JavaScript. */
export function defaultDenseEngine(): DenseEngine {
  const simd = simdEngine();
  return 'unavailable' in simd ? jsEngine : simd;
}

/** What the fused kernel's default engine is, in words: "WebAssembly SIMD", or "JavaScript" and why. */
export function fusedKernelLabel(): string {
  const simd = simdEngine();
  return 'unavailable' in simd ? `JavaScript (${simd.unavailable} here)` : 'WebAssembly SIMD';
}

export interface FusedMamlResult {
  /** Gradient of postLoss with respect to theta (order 2), or its first-order approximation. */
  grads: Float32Array[];
  /** Mean over tasks of the query MSE at theta, before adaptation. */
  preLoss: number;
  /** Mean over tasks of the query MSE after the inner steps. */
  postLoss: number;
}

// ---------------------------------------------------------------------------

/**
 * Layer 1 of a network with a scalar input x, as a table. Its pre-activation
 * z1(x) = relu(x w0 + b0) W1 + b1 is piecewise linear in x, with a kink where hidden unit
 * k switches on or off, at x = -b0[k] / w0[k]. Between two consecutive kinks the set A of
 * active units is fixed and z1(x) = x * slope + intercept, with
 *   slope = sum_{k in A} w0[k] W1[k, :],   intercept = b1 + sum_{k in A} b0[k] W1[k, :].
 * Sweeping x upwards toggles one unit at each kink, so all the pieces together cost about
 * as much as one row of layer 1 per hidden unit. Built once per meta-iteration for theta,
 * which every task's support and query points share, the table makes each point's layer
 * 1 a binary search and one row of multiply-adds instead of a [hidden x out] product.
 * (A point within rounding of a kink may land in either neighbouring piece; both agree
 * there up to that unit's activation, which is about zero.)
 */
class ScalarInputTable {
  /** kinks[j], j < count: the sorted kinks; piece j lies between kinks[j - 1] and kinks[j]. */
  private readonly kinks: Float64Array;
  private readonly at: Float64Array;
  private readonly order: Int32Array;
  /** slope and intercept of piece j: [j * dout, (j + 1) * dout). */
  private readonly slope: Float64Array;
  private readonly intercept: Float64Array;
  private count = 0;

  constructor(
    private readonly hidden: number,
    private readonly dout: number,
  ) {
    this.kinks = new Float64Array(hidden);
    this.at = new Float64Array(hidden);
    this.order = new Int32Array(hidden);
    this.slope = new Float64Array((hidden + 1) * dout);
    this.intercept = new Float64Array((hidden + 1) * dout);
  }

  /** Tabulates layer 1 for first-layer weights w0 [1, hidden], b0 and layer-1 weights W1, b1. */
  build(w0: Float32Array, b0: Float32Array, W1: Float32Array, b1: Float32Array): void {
    const { hidden: H, dout: D, kinks, at, order, slope, intercept } = this;
    let m = 0;
    for (let k = 0; k < H; k++) {
      if (w0[k] === 0) continue; // a constant unit: no kink
      at[k] = -b0[k] / w0[k];
      // Insertion sort by kink (a few dozen units).
      let j = m++;
      while (j > 0 && at[order[j - 1]] > at[k]) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = k;
    }
    this.count = m;
    for (let j = 0; j < m; j++) kinks[j] = at[order[j]];
    // Piece 0, below every kink: the active units are those with w0 < 0 (and the constant
    // units with b0 > 0).
    for (let o = 0; o < D; o++) {
      slope[o] = 0;
      intercept[o] = b1[o];
    }
    for (let k = 0; k < H; k++) {
      if (w0[k] < 0 || (w0[k] === 0 && b0[k] > 0)) this.toggle(0, k, 1, w0, b0, W1);
    }
    // Crossing a kink upwards switches a unit with w0 > 0 on, and one with w0 < 0 off.
    for (let j = 0; j < m; j++) {
      slope.copyWithin((j + 1) * D, j * D, (j + 1) * D);
      intercept.copyWithin((j + 1) * D, j * D, (j + 1) * D);
      const k = order[j];
      this.toggle(j + 1, k, w0[k] > 0 ? 1 : -1, w0, b0, W1);
    }
  }

  private toggle(piece: number, k: number, sign: number, w0: Float32Array, b0: Float32Array, W1: Float32Array): void {
    const { dout: D, slope, intercept } = this;
    const p = piece * D;
    const a = sign * w0[k];
    const c = sign * b0[k];
    const wk = k * D;
    for (let o = 0; o < D; o++) {
      slope[p + o] += a * W1[wk + o];
      intercept[p + o] += c * W1[wk + o];
    }
  }

  /** z [n, dout] = layer 1 at the n inputs x, ReLU'd when relu is set. */
  evaluate(x: Float32Array, z: Float32Array, n: number, relu: boolean): void {
    const { dout: D, kinks, slope, intercept, count } = this;
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      // The piece of xi: the number of kinks below it.
      let lo = 0;
      let hi = count;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (kinks[mid] < xi) lo = mid + 1;
        else hi = mid;
      }
      const p = lo * D;
      const zi = i * D;
      for (let o = 0; o < D; o++) {
        const s = xi * slope[p + o] + intercept[p + o];
        z[zi + o] = relu && s < 0 ? 0 : s;
      }
    }
  }
}

/** Activations and backpropagated errors of one pass over n rows. */
interface Trace {
  /** h[0]: inputs [n, sizes[0]]; h[l+1]: ReLU output of layer l; h[L]: network output. */
  h: Float32Array[];
  /** sp[l]: where the input h[l] of layer l is nonzero (l < L). */
  sp: Sparsity[];
  /** dz[l]: gradient of the loss at layer l's pre-activation [n, sizes[l+1]]. */
  dz: Float32Array[];
}

function makeTrace(sizes: number[], n: number, arena: Arena): Trace {
  return {
    h: sizes.map((d) => arena.f32(n * d)),
    sp: sizes.slice(0, -1).map((d) => makeSparsity(n, d, arena)),
    dz: sizes.slice(1).map((d) => arena.f32(n * d)),
  };
}

function zeros(arrays: Float32Array[] | Float64Array[]): void {
  for (const a of arrays) a.fill(0);
}

/** The work buffers of FusedMlpMaml for up to `steps` inner steps, all from one arena, and their kernels. */
interface Buffers {
  steps: number;
  kernels: DenseKernels;
  /** thetas[s]: a task's parameters after s inner steps; thetas[0] is a copy of the caller's theta. */
  thetas: Float32Array[][];
  /** support[s]: the support-set pass at thetas[s], kept for the Hessian-vector products. */
  support: Trace[];
  query: Trace;
  /** Scratch gradient, the back-propagated vector v and H v. */
  g: Float32Array[];
  v: Float32Array[];
  hv: Float32Array[];
  /** R-forward values Rh[l] (l >= 1) and R-backward errors Rdz[l], over the support rows. */
  Rh: Float32Array[];
  Rdz: Float32Array[];
  /** Lists every output of the head, for the kernels that take a list of outputs. */
  allOutputs: Sparsity;
}

/**
 * One MAML meta-gradient for a fixed network and meta-batch shape, with every work
 * buffer allocated once (by the constructor, and again on the first call that uses more
 * inner steps than before), in the memory of its kernels' engine.
 */
export class FusedMlpMaml {
  readonly shapes: number[][];
  private readonly L: number;
  private b: Buffers;
  /** The meta-gradient summed over tasks in float64, and its float32 default output. */
  private readonly acc: Float64Array[];
  private readonly grads: Float32Array[];
  /** Layer 1 at theta as a table, for a scalar input (din = 1) and a hidden first layer. */
  private readonly table: ScalarInputTable | null;

  constructor(
    readonly sizes: number[],
    readonly tasks: number,
    readonly shots: number,
    readonly queries: number,
    /** The dense-layer kernels: WebAssembly SIMD where available (defaultDenseEngine). */
    readonly engine: DenseEngine = defaultDenseEngine(),
  ) {
    if (sizes.length < 2) throw new Error('FusedMlpMaml: need at least an input and an output size');
    this.shapes = mlpShapes(sizes);
    this.L = sizes.length - 1;
    this.grads = this.shapes.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1)));
    this.acc = this.grads.map((a) => new Float64Array(a.length));
    this.table = sizes[0] === 1 && this.L >= 2 ? new ScalarInputTable(sizes[1], sizes[2]) : null;
    this.b = this.allocate(1);
  }

  /** Buffers for up to `steps` inner steps: counted on plain arrays, then made in one arena of that size. */
  private allocate(steps: number): Buffers {
    const counting = countingArena();
    this.make(steps, counting, jsEngine.bind(0).kernels);
    const { arena, kernels } = this.engine.bind(counting.bytes);
    return this.make(steps, arena, kernels);
  }

  private make(steps: number, arena: Arena, kernels: DenseKernels): Buffers {
    const { sizes, shots, queries, L } = this;
    const params = () => this.shapes.map((s) => arena.f32(s.reduce((a, b) => a * b, 1)));
    const rows = Math.max(shots, queries);
    const dout = sizes[L];
    const allOutputs = makeSparsity(rows, dout, arena);
    allOutputs.rowCount.fill(dout);
    for (let j = 0; j < rows * dout; j++) allOutputs.rows[j] = j % dout;
    return {
      steps,
      kernels,
      thetas: Array.from({ length: steps + 1 }, params),
      support: Array.from({ length: Math.max(steps, 1) }, () => makeTrace(sizes, shots, arena)),
      query: makeTrace(sizes, queries, arena),
      g: params(),
      v: params(),
      hv: params(),
      Rh: sizes.map((d) => arena.f32(shots * d)),
      Rdz: sizes.slice(1).map((d) => arena.f32(shots * d)),
      allOutputs,
    };
  }

  /**
   * The MAML meta-gradient of `theta` on `batch`. Writes into `out` when given, otherwise
   * into a buffer owned by this object that the next call overwrites.
   */
  metaGradient(
    theta: Float32Array[],
    batch: RegressionBatch,
    { alpha, steps, order }: FusedMamlOptions,
    out?: Float32Array[],
  ): FusedMamlResult {
    const { sizes, tasks: T, shots: K, queries: Q } = this;
    if (batch.tasks !== T || batch.shots !== K || batch.queries !== Q) {
      throw new Error(`FusedMlpMaml: batch is ${batch.tasks}x${batch.shots}/${batch.queries}, expected ${T}x${K}/${Q}`);
    }
    if (theta.length !== this.shapes.length) throw new Error('FusedMlpMaml: wrong number of parameters');
    if (!Number.isInteger(steps) || steps < 0) throw new Error(`FusedMlpMaml: bad steps ${steps}`);
    if (steps > this.b.steps) this.b = this.allocate(steps);
    const grads = out ?? this.grads;
    const din = sizes[0];
    const dout = sizes[this.L];
    const { acc } = this;
    const { thetas, support, query, g, v, hv } = this.b;
    // The kernels read theta from their own memory.
    const th0 = thetas[0];
    for (let p = 0; p < th0.length; p++) th0[p].set(theta[p]);
    const table = this.table;
    table?.build(th0[0], th0[1], th0[2], th0[3]);
    zeros(acc);
    let preTotal = 0;
    let postTotal = 0;

    // Task t as MAML sees it (algorithm/maml.ts), on this object's buffers: inner step s
    // writes thetas[s + 1], keeping its support pass in support[s] for the Hessian-vector
    // product; the query gradient is written into v, which the pull-back updates in place.
    let t = 0;
    const task: MamlTask<Float32Array[], number> = {
      innerStep: (s, params, a) => {
        const tr = support[s];
        copyRows(batch.xs, t * K * din, tr.h[0], K * din);
        this.forward(params, tr, K, s === 0 ? table : null);
        mseError(tr.h[this.L], batch.ys, t * K * dout, tr.dz[this.L - 1], K * dout);
        zeros(g);
        this.backward(params, tr, K, g);
        const next = thetas[s + 1];
        for (let p = 0; p < g.length; p++) {
          const th = params[p];
          const b = next[p];
          const gp = g[p];
          for (let j = 0; j < th.length; j++) b[j] = th[j] - a * gp[j];
        }
        return next;
      },
      hvp: (s, u) => {
        zeros(hv);
        this.hessianVector(thetas[s], support[s], u, hv);
        return hv;
      },
      query: (params) => {
        copyRows(batch.xq, t * Q * din, query.h[0], Q * din);
        this.forward(params, query, Q, params === th0 ? table : null);
        const loss = mseError(query.h[this.L], batch.yq, t * Q * dout, query.dz[this.L - 1], Q * dout);
        zeros(v);
        this.backward(params, query, Q, v);
        return { grads: v, result: loss };
      },
    };
    const options = { alpha, steps, variant: order === 2 ? ('maml2' as const) : ('maml1' as const) };

    for (t = 0; t < T; t++) {
      // Query loss before adaptation (with no inner steps, the same as after).
      if (steps > 0) {
        copyRows(batch.xq, t * Q * din, query.h[0], Q * din);
        this.forward(th0, query, Q, table);
        preTotal += mseError(query.h[this.L], batch.yq, t * Q * dout, null, Q * dout);
      }
      const { grads: gt, query: post } = mamlGradient(task, arrayAlgebra, th0, options);
      if (steps === 0) preTotal += post;
      postTotal += post;
      for (let p = 0; p < gt.length; p++) {
        const ap = acc[p];
        const vp = gt[p];
        for (let j = 0; j < vp.length; j++) ap[j] += vp[j];
      }
    }

    for (let p = 0; p < acc.length; p++) {
      const ap = acc[p];
      const gp = grads[p];
      for (let j = 0; j < ap.length; j++) gp[j] = ap[j] / T;
    }
    return { grads, preLoss: preTotal / T, postLoss: postTotal / T };
  }

  /**
   * Forward pass of tr.h[0] (n rows) through the network, filling tr.h and tr.sp. With
   * a table (built for these params), layer 1 comes from it.
   */
  private forward(params: Float32Array[], tr: Trace, n: number, table: ScalarInputTable | null): void {
    const { sizes, L } = this;
    for (let l = 0; l < L; l++) {
      indexRows(tr.h[l], n, sizes[l], tr.sp[l]);
      if (l === 1 && table !== null) table.evaluate(tr.h[0], tr.h[2], n, l + 1 < L);
      else
        this.b.kernels.denseForward(tr.h[l], tr.sp[l], params[2 * l], params[2 * l + 1], tr.h[l + 1], n, sizes[l], sizes[l + 1], l + 1 < L);
    }
  }

  /** Backpropagation from tr.dz[L-1], accumulating the gradient into grad (pre-zeroed). */
  private backward(params: Float32Array[], tr: Trace, n: number, grad: Float32Array[]): void {
    const { sizes, L } = this;
    const { kernels, allOutputs } = this.b;
    for (let l = L - 1; l >= 0; l--) {
      const [din, dout] = [sizes[l], sizes[l + 1]];
      indexColumns(n, din, tr.sp[l]);
      biasGrad(tr.dz[l], grad[2 * l + 1], n, dout);
      kernels.weightGrad(tr.h[l], tr.sp[l], tr.dz[l], null, null, grad[2 * l], n, din, dout);
      if (l > 0) {
        const outs = l + 1 < L ? tr.sp[l + 1] : allOutputs;
        kernels.inputGrad(tr.sp[l], outs, tr.dz[l], params[2 * l], tr.dz[l - 1], n, din, dout);
      }
    }
  }

  /**
   * out += H V, with H the Hessian of the support MSE at params, whose forward and
   * backward passes are in tr (Pearlmutter's R-operator, see the file comment).
   */
  private hessianVector(params: Float32Array[], tr: Trace, V: Float32Array[], out: Float32Array[]): void {
    const { sizes, L } = this;
    const { kernels, allOutputs, Rh, Rdz } = this.b;
    const n = this.shots;
    for (let l = 0; l < L; l++) {
      kernels.denseRForward(
        tr.h[l],
        l > 0 ? Rh[l] : null,
        tr.sp[l],
        l + 1 < L ? { h: tr.h[l + 1], sp: tr.sp[l + 1] } : null,
        params[2 * l],
        V[2 * l],
        V[2 * l + 1],
        Rh[l + 1],
        n,
        sizes[l],
        sizes[l + 1],
      );
    }
    // The MSE's second derivative: Rdz_out = 2 Rout / (number of output elements).
    const m = n * sizes[L];
    const rOut = Rh[L];
    const rdzOut = Rdz[L - 1];
    for (let j = 0; j < m; j++) rdzOut[j] = (2 * rOut[j]) / m;
    for (let l = L - 1; l >= 0; l--) {
      const [din, dout] = [sizes[l], sizes[l + 1]];
      // R gb = colsum(Rdz); R gW = h^T Rdz + Rh^T dz; Rdz_{l-1} = (Rdz W^T + dz VW^T) * mask.
      biasGrad(Rdz[l], out[2 * l + 1], n, dout);
      kernels.weightGrad(tr.h[l], tr.sp[l], Rdz[l], l > 0 ? Rh[l] : null, tr.dz[l], out[2 * l], n, din, dout);
      if (l > 0) {
        const outs = l + 1 < L ? tr.sp[l + 1] : allOutputs;
        kernels.inputGradR(tr.sp[l], outs, Rdz[l], params[2 * l], tr.dz[l], V[2 * l], Rdz[l - 1], n, din, dout);
      }
    }
  }
}

function copyRows(src: Float32Array, offset: number, dst: Float32Array, m: number): void {
  for (let j = 0; j < m; j++) dst[j] = src[offset + j];
}

/**
 * Mean squared error of pred [m] against y[offset .. offset + m]; when dz is given it
 * receives the loss's gradient at pred, 2 (pred - y) / m.
 */
function mseError(pred: Float32Array, y: Float32Array, offset: number, dz: Float32Array | null, m: number): number {
  let s = 0;
  for (let j = 0; j < m; j++) {
    const e = pred[j] - y[offset + j];
    s += e * e;
    if (dz !== null) dz[j] = (2 * e) / m;
  }
  return s / m;
}

const instances = new Map<string, FusedMlpMaml>();

/**
 * The MAML meta-gradient (see FusedMlpMaml.metaGradient), reusing one set of work
 * buffers per network, batch shape and engine. Without `out`, the gradients are fresh arrays.
 */
export function mamlMetaGradient(
  sizes: number[],
  theta: Float32Array[],
  batch: RegressionBatch,
  options: FusedMamlOptions,
  out?: Float32Array[],
  engine: DenseEngine = defaultDenseEngine(),
): FusedMamlResult {
  const key = `${sizes.join(',')}|${batch.tasks}|${batch.shots}|${batch.queries}|${engine.name}`;
  let maml = instances.get(key);
  if (maml === undefined) {
    maml = new FusedMlpMaml(sizes, batch.tasks, batch.shots, batch.queries, engine);
    instances.set(key, maml);
  }
  const grads = out ?? theta.map((p) => new Float32Array(p.length));
  return maml.metaGradient(theta, batch, options, grads);
}
