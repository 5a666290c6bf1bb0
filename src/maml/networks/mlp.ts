import * as tf from '../tf';
import type { Rng } from '../random';

/**
 * A fully connected ReLU network as a pure function of explicit parameters
 * [W0, b0, W1, b1, ...]. Unbatched parameters have W [in, out] and b [out];
 * per-task (batched) parameters carry a leading task axis: W [T, in, out], b [T, 1, out].
 */
export type Params = tf.Tensor[];

export function mlpShapes(sizes: number[]): number[][] {
  const shapes: number[][] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    shapes.push([sizes[l], sizes[l + 1]], [sizes[l + 1]]);
  }
  return shapes;
}

/** PyTorch's default initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases. */
export function initMlpValues(sizes: number[], rng: Rng): Float32Array[] {
  return mlpShapes(sizes).map((shape, i) => {
    const fanIn = sizes[Math.floor(i / 2)];
    const bound = 1 / Math.sqrt(fanIn);
    const n = shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    for (let j = 0; j < n; j++) v[j] = rng.uniform(-bound, bound);
    return v;
  });
}

/** x is [N, in] for unbatched parameters or [T, N, in] for per-task parameters. */
export function mlpForward(params: Params, x: tf.Tensor): tf.Tensor {
  let h = x;
  for (let i = 0; i < params.length; i += 2) {
    const W = params[i];
    // A layer with one input is an outer product: a broadcast multiply is several times
    // faster than a (batched) matMul on the wasm backend (npm run bench) and exact alike.
    const z = W.shape[W.rank - 2] === 1 ? tf.mul(h, W) : tf.matMul(h, W);
    h = tf.add(z, params[i + 1]);
    if (i + 2 < params.length) h = tf.relu(h);
  }
  return h;
}

/**
 * Copies shared parameters once per task: W [in,out] -> [T,in,out], b [out] -> [T,1,out].
 * Written as an addition to zeros, whose gradient is one sum over the task axis:
 * tf.tile and tf.broadcastTo both run the Tile kernel, whose gradient is a loop of slices.
 */
export function tileParams(params: Params, tasks: number): Params {
  return params.map((p) => {
    const withRow = p.rank === 1 ? p.reshape([1, 1, p.shape[0]]) : p.expandDims(0);
    return tf.add(tf.zeros([tasks, withRow.shape[1]!, withRow.shape[2]!]), withRow);
  });
}

/** Inverse of tileParams for gradients: sums the per-task axis back to the shared shape. */
export function sumOverTasks(perTask: Params, shapes: number[][]): Params {
  return perTask.map((g, i) => g.sum(0).reshape(shapes[i]));
}
