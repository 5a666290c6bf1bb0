/**
 * A GPU meta-gradient against the float64 conv kernel (convMaml.ts on Float64Arrays, itself
 * checked against finite differences in convNet.test.ts): the relative error of each
 * parameter's gradient, ||g - g64|| / ||g64||, and the query loss and accuracy of both.
 * For the kernel checks that must run where the GPU is (the bench worker, e2e).
 */
import type { ConvAlgorithm } from '../algorithm/algorithm';
import { ConvNet, type ConvNetShape } from '../networks/convNet';
import { jsGemm } from '../networks/gemm';
import { metaGradient, type ConvInner, type TaskSums } from '../omniglot/convMaml';
import type { EpisodeBatch } from '../omniglot/tasks';

export interface Float64Check {
  errors: number[];
  loss: [number, number];
  accuracy: [number, number];
}

export async function checkAgainstFloat64(
  gpu: (body: Float32Array[], batch: EpisodeBatch) => Promise<{ grads: Float32Array[]; sums: TaskSums }>,
  shape: ConvNetShape,
  body: Float32Array[],
  batch: EpisodeBatch,
  inner: ConvInner,
  algorithm: ConvAlgorithm,
): Promise<Float64Check> {
  const { grads, sums } = await gpu(body, batch);
  const ref = body.map((b) => new Float64Array(b.length));
  const b64 = { ...batch, support: Float64Array.from(batch.support), query: Float64Array.from(batch.query) } as unknown as EpisodeBatch;
  const r = metaGradient(
    new ConvNet(shape, jsGemm),
    body.map((b) => Float64Array.from(b)),
    b64,
    inner,
    algorithm,
    ref,
  );
  const errors = ref.map((e, i) => {
    let d = 0;
    let n = 0;
    for (let j = 0; j < e.length; j++) {
      d += (grads[i][j] - e[j]) ** 2;
      n += e[j] ** 2;
    }
    return Math.sqrt(d / n);
  });
  return { errors, loss: [sums.postLoss / sums.tasks, r.postLoss], accuracy: [sums.postCorrect / sums.queries, r.postAccuracy] };
}
