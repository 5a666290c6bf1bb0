/**
 * The conv net of convNet.ts on tfjs tensors, for the GPU backends (WebGPU, WebGL): the
 * same hand-derived forward, backward and R-operator Hessian-vector product, with all
 * tasks of a meta-batch in one batched computation, so the number of kernel launches
 * does not grow with the number of tasks. Per-task parameters carry a leading task axis
 * (W [T, 9*Cin, C], gamma and beta [T, 1, C], head W [T, N, D] and b [T, 1, N]).
 *
 * im2col is itself a convolution, with a fixed 0/1 filter E [3, 3, Cin, 9*Cin] that copies
 * each input channel at each kernel offset to its own output channel; its adjoint (col2im)
 * is the transposed convolution with the same filter. The per-task products are batched
 * matMuls. No autodiff is used, so no op's gradient matters, only its forward pass.
 */
import * as tf from '../tf';
import { BN_EPSILON } from './convPasses';
import { blockGeometry, featureSize, type BlockGeometry, type ConvNetShape } from './convNet';

type T3 = tf.Tensor3D;

export interface TensorCache {
  tasks: number;
  batch: number;
  way: number;
  blocks: { cols: T3; xhat: T3; s: T3; mask: T3 }[];
  e: T3;
  p: T3;
}

export interface TensorBackward {
  /** Mean loss per task [T] and correct count per task [T] (ties split evenly is left to the CPU path: here argmax). */
  loss: tf.Tensor1D;
  correct: tf.Tensor1D;
  grads: tf.Tensor[];
  dlogits: T3;
  blocks: { dh: T3; dxhat: T3; dz: T3; m2: T3 }[];
}

export class ConvNetTensors {
  readonly geometry: BlockGeometry[];
  readonly features: number;
  private readonly copyFilters: tf.Tensor4D[];

  constructor(readonly shape: ConvNetShape) {
    this.geometry = blockGeometry(shape);
    this.features = featureSize(shape);
    this.copyFilters = this.geometry.map((g) => {
      const e = new Float32Array(9 * g.cin * 9 * g.cin);
      for (let k = 0; k < 9; k++) for (let c = 0; c < g.cin; c++) e[(k * g.cin + c) * 9 * g.cin + k * g.cin + c] = 1;
      return tf.keep(tf.tensor4d(e, [3, 3, g.cin, 9 * g.cin]));
    });
  }

  dispose() {
    tf.dispose(this.copyFilters);
  }

  /** [T, B*H*W, Cin] (rows image-major, NHWC) -> [T, B*Ho*Wo, 9*Cin]. */
  private im2col(x: T3, T: number, B: number, l: number): T3 {
    const g = this.geometry[l];
    const x4 = x.reshape([T * B, g.h, g.w, g.cin]) as tf.Tensor4D;
    return tf.conv2d(x4, this.copyFilters[l], 2, 1).reshape([T, B * g.ho * g.wo, 9 * g.cin]);
  }

  private col2im(cols: T3, T: number, B: number, l: number): T3 {
    const g = this.geometry[l];
    const c4 = cols.reshape([T * B, g.ho, g.wo, 9 * g.cin]) as tf.Tensor4D;
    return tf.conv2dTranspose(c4, this.copyFilters[l], [T * B, g.h, g.w, g.cin], 2, 1).reshape([T, B * g.h * g.w, g.cin]);
  }

  forward(params: tf.Tensor[], x: T3, B: number, way: number): TensorCache {
    const T = x.shape[0];
    const blocks: TensorCache['blocks'] = [];
    let input: T3 = x.reshape([T, B * 28 * 28, 1]);
    this.geometry.forEach((_, l) => {
      const [W, gamma, beta] = params.slice(3 * l, 3 * l + 3) as T3[];
      const cols = this.im2col(input, T, B, l);
      const z = tf.matMul(cols, W);
      const { mean, variance } = tf.moments(z, 1, true);
      const s = tf.sqrt(tf.add(variance, BN_EPSILON)) as T3;
      const xhat = tf.div(tf.sub(z, mean), s) as T3;
      const h = tf.add(tf.mul(gamma, xhat), beta) as T3;
      const mask = tf.cast(tf.greater(h, 0), 'float32') as T3;
      blocks.push({ cols, xhat, s, mask });
      input = tf.mul(h, mask);
    });
    const e = input.reshape([T, B, this.features]) as T3;
    const logits = tf.add(tf.matMul(e, params[12] as T3, false, true), params[13]) as T3;
    return { tasks: T, batch: B, way, blocks, e, p: tf.softmax(logits) as T3 };
  }

  backward(params: tf.Tensor[], cache: TensorCache, onehot: T3, labels: tf.Tensor2D): TensorBackward {
    const { tasks: T, batch: B, p, e } = cache;
    const loss = tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.log(tf.maximum(p, 1e-30))), 2), 1)) as tf.Tensor1D;
    const correct = tf.sum(tf.cast(tf.equal(tf.argMax(p, 2), labels), 'float32'), 1) as tf.Tensor1D;
    const dlogits = tf.div(tf.sub(p, onehot), B) as T3;
    const Wh = params[12] as T3;
    const grads: tf.Tensor[] = new Array(14);
    grads[12] = tf.matMul(dlogits, e, true, false);
    grads[13] = tf.sum(dlogits, 1, true);
    let da = tf.matMul(dlogits, Wh).reshape([T, -1, this.geometry[3].c]) as T3;
    const blocks: TensorBackward['blocks'] = new Array(4);
    for (let l = 3; l >= 0; l--) {
      const bc = cache.blocks[l];
      const gamma = params[3 * l + 1];
      const W = params[3 * l] as T3;
      const dh = tf.mul(da, bc.mask) as T3;
      const dxhat = tf.mul(gamma, dh) as T3;
      const m1 = tf.mean(dxhat, 1, true);
      const m2 = tf.mean(tf.mul(dxhat, bc.xhat), 1, true) as T3;
      const dz = tf.div(tf.sub(tf.sub(dxhat, m1), tf.mul(bc.xhat, m2)), bc.s) as T3;
      grads[3 * l] = tf.matMul(bc.cols, dz, true, false);
      grads[3 * l + 1] = tf.sum(tf.mul(dh, bc.xhat), 1, true);
      grads[3 * l + 2] = tf.sum(dh, 1, true);
      blocks[l] = { dh, dxhat, dz, m2 };
      if (l > 0) da = this.col2im(tf.matMul(dz, W, false, true), T, B, l);
    }
    return { loss, correct, grads, dlogits, blocks };
  }

  hvp(params: tf.Tensor[], cache: TensorCache, back: TensorBackward, v: tf.Tensor[]): tf.Tensor[] {
    const { tasks: T, batch: B, p, e } = cache;
    const R: { Rcols: T3 | null; Rxhat: T3; Rs: T3 }[] = [];
    let Rinput: T3 | null = null;
    this.geometry.forEach((_, l) => {
      const W = params[3 * l] as T3;
      const gamma = params[3 * l + 1];
      const [RW, Rgamma, Rbeta] = v.slice(3 * l, 3 * l + 3) as T3[];
      const bc = cache.blocks[l];
      let Rz = tf.matMul(bc.cols, RW);
      let Rcols: T3 | null = null;
      if (Rinput) {
        Rcols = this.im2col(Rinput, T, B, l);
        Rz = tf.add(Rz, tf.matMul(Rcols, W));
      }
      const Rmean = tf.mean(Rz, 1, true);
      const Rs = tf.mean(tf.mul(bc.xhat, Rz), 1, true) as T3;
      const Rxhat = tf.div(tf.sub(tf.sub(Rz, Rmean), tf.mul(bc.xhat, Rs)), bc.s) as T3;
      const Ra = tf.mul(tf.add(tf.add(tf.mul(Rgamma, bc.xhat), tf.mul(gamma, Rxhat)), Rbeta), bc.mask) as T3;
      R.push({ Rcols, Rxhat, Rs });
      Rinput = Ra;
    });
    const Re = (Rinput as unknown as T3).reshape([T, B, this.features]);
    const Wh = params[12] as T3;
    const RWh = v[12] as T3;
    const Rlogits = tf.add(tf.add(tf.matMul(Re, Wh, false, true), tf.matMul(e, RWh, false, true)), v[13]);
    const dot = tf.sum(tf.mul(p, Rlogits), 2, true);
    const Rdlogits = tf.div(tf.mul(p, tf.sub(Rlogits, dot)), B) as T3;
    const out: tf.Tensor[] = new Array(14);
    out[12] = tf.add(tf.matMul(Rdlogits, e, true, false), tf.matMul(back.dlogits, Re, true, false));
    out[13] = tf.sum(Rdlogits, 1, true);
    let Rda = tf.add(tf.matMul(Rdlogits, Wh), tf.matMul(back.dlogits, RWh)).reshape([T, -1, this.geometry[3].c]) as T3;
    for (let l = 3; l >= 0; l--) {
      const bc = cache.blocks[l];
      const bb = back.blocks[l];
      const { Rcols, Rxhat, Rs } = R[l];
      const W = params[3 * l] as T3;
      const gamma = params[3 * l + 1];
      const RW = v[3 * l] as T3;
      const Rgamma = v[3 * l + 1];
      const rdh = tf.mul(Rda, bc.mask);
      out[3 * l + 1] = tf.sum(tf.add(tf.mul(rdh, bc.xhat), tf.mul(bb.dh, Rxhat)), 1, true);
      out[3 * l + 2] = tf.sum(rdh, 1, true);
      const Rdxhat = tf.add(tf.mul(Rgamma, bb.dh), tf.mul(gamma, rdh));
      const Rm1 = tf.mean(Rdxhat, 1, true);
      const Rm2 = tf.mean(tf.add(tf.mul(Rdxhat, bc.xhat), tf.mul(bb.dxhat, Rxhat)), 1, true);
      const Rdz = tf.div(
        tf.sub(tf.sub(tf.sub(tf.sub(Rdxhat, Rm1), tf.mul(Rxhat, bb.m2)), tf.mul(bc.xhat, Rm2)), tf.mul(bb.dz, Rs)),
        bc.s,
      ) as T3;
      let RdW = tf.matMul(bc.cols, Rdz, true, false);
      if (Rcols) RdW = tf.add(RdW, tf.matMul(Rcols, bb.dz, true, false));
      out[3 * l] = RdW;
      if (l > 0) Rda = this.col2im(tf.add(tf.matMul(Rdz, W, false, true), tf.matMul(bb.dz, RW, false, true)), T, B, l);
    }
    return out;
  }
}
