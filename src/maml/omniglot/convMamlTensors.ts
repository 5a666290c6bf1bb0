/**
 * The MAML meta-gradient of convMaml.ts with every task of the batch at once on tfjs
 * tensors (convNetTensors.ts): for the GPU backends. The blocks stay in Float32Arrays
 * (Adam runs on the CPU); each meta-iteration uploads them and the batch, and reads back
 * the mean meta-gradient and the per-task sums with one asynchronous read (never
 * dataSync, which a WebGPU worker must not use).
 */
import * as tf from '../tf';
import type { EpisodeBatch } from './tasks';
import { bodyShapes, headShapes } from '../networks/convNet';
import type { ConvAlgorithm } from '../algorithm/algorithm';
import type { ConvInner, TaskSums } from './convMaml';
import { ConvNetTensors, type TensorBackward, type TensorCache } from '../networks/convNetTensors';
import { mamlGradient, type MamlTask, type ParamAlgebra } from '../algorithm/maml';

/** Parameter lists of tensors (inside a tidy). */
const tensorAlgebra: ParamAlgebra<tf.Tensor[]> = {
  axpy: (v, a, h) => v.map((t, i) => tf.add(t, tf.mul(h[i], a))),
  subtract: (a, b) => a.map((t, i) => tf.sub(t, b[i])),
};

export async function metaGradientTensors(
  net: ConvNetTensors,
  body: Float32Array[],
  batch: EpisodeBatch,
  inner: ConvInner,
  algorithm: ConvAlgorithm,
): Promise<{ grads: Float32Array[]; sums: TaskSums }> {
  const { tasks: T, way: N } = batch;
  const ns = batch.way * batch.shot;
  const nq = batch.way * batch.queries;
  const shapes = bodyShapes(net.shape);
  const flat = tf.tidy(() => {
    // Per-task copies of the blocks: an addition to zeros (one sum as gradient, were it ever taken).
    const init = body.map((b, i) => {
      const n = b.length;
      const rows = shapes[i].length === 4 ? 9 * shapes[i][2] : 1;
      return tf.add(tf.zeros([T, rows, n / rows]), tf.tensor3d(b, [1, rows, n / rows]));
    });
    const [hw, hb] = headShapes(net.shape, N);
    const params: tf.Tensor[] = [...init, tf.zeros([T, hw[0], hw[1]]), tf.zeros([T, 1, hb[0]])];
    const xs = tf.tensor3d(batch.support, [T, ns, 784]);
    const xq = tf.tensor3d(batch.query, [T, nq, 784]);
    const ys = tf.tensor2d(batch.supportLabels, [T, ns], 'int32');
    const yq = tf.tensor2d(batch.queryLabels, [T, nq], 'int32');
    const ohs = tf.oneHot(ys, N).cast('float32') as tf.Tensor3D;
    const ohq = tf.oneHot(yq, N).cast('float32') as tf.Tensor3D;
    const steps: { params: tf.Tensor[]; cache: TensorCache; back: TensorBackward }[] = [];
    // Every task at once: parameters [T, …], the losses and corrects summed over tasks.
    const task: MamlTask<tf.Tensor[], TensorBackward> = {
      innerStep(s, p, alpha) {
        const cache = net.forward(p, xs, ns, N);
        const back = net.backward(p, cache, ohs, ys);
        steps[s] = { params: p, cache, back };
        return p.map((t, i) => tf.sub(t, tf.mul(back.grads[i], alpha)));
      },
      hvp: (s, v) => net.hvp(steps[s].params, steps[s].cache, steps[s].back, v),
      query(p) {
        const q = net.backward(p, net.forward(p, xq, nq, N), ohq, yq);
        return { grads: q.grads, result: q };
      },
    };
    const { grads: g, query: q } = mamlGradient(task, tensorAlgebra, params, {
      alpha: inner.alpha,
      steps: inner.steps,
      variant: algorithm,
    });
    const mean = g.slice(0, 12).map((t) => tf.mean(t, 0).reshape([-1]));
    return tf.concat([...mean, tf.stack([tf.sum(q.loss), tf.sum(q.correct)])]);
  });
  const values = (await flat.data()) as Float32Array;
  flat.dispose();
  const grads: Float32Array[] = [];
  let o = 0;
  for (const b of body) {
    // The sums are added across workers as for metaGradientRange: weight 1/T each, so the whole batch gives the mean.
    grads.push(values.slice(o, o + b.length));
    o += b.length;
  }
  const sums: TaskSums = {
    tasks: T,
    preLoss: T * Math.log(N),
    postLoss: values[o],
    preCorrect: (T * nq) / N,
    postCorrect: values[o + 1],
    queries: T * nq,
  };
  return { grads, sums };
}
