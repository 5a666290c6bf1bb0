/**
 * Few-shot classification of people's own images: adapt from a given initialisation (the
 * meta-learned blocks, or any other) with a zero head on the labelled examples (classes
 * weighted equally however many examples each has), and give the query probabilities after
 * every inner step; plus nearest neighbour in pixel space as a reference that learns nothing.
 * Used by the page and `npm run classify`.
 *
 * The adaptation uses the support set's own batch statistics, as MAML does; the queries are
 * then classified with batch norm frozen at those statistics (the support set's, under the
 * parameters of that step), so each query's prediction is its own, whatever other queries are
 * beside it, and is exactly what the exported classifier (io/layersClassifier.ts) predicts.
 */
import { withZeroHead, type ConvInner } from './convMaml';
import { BODY_PARAMS, type ConvNet } from '../networks/convNet';
import type { Vec } from '../networks/gemm';
import { mostProbableClass } from '../metrics';
import { sgdStep } from '../algorithm/maml';
import { predictFrozen, statisticsOf, type BlockStatistics, type ClassifierHead } from '../io/layersClassifier';

/** What the model serves, the same for the page, batch mode and npm run classify: 2 to 20 classes of 1 to 5 examples. */
export const FEW_SHOT_LIMITS = { classes: { min: 2, max: 20 }, examples: { min: 1, max: 5 } } as const;

export interface LabelledImages {
  /** images[c] holds class c's examples, 28*28 floats each (ink = 1). */
  classes: Float32Array[][];
  queries: Float32Array[];
}

export interface FewShotResult {
  /** probs[step] is [queries, classes]. */
  probs: Float32Array[];
  supportLoss: number[];
  /** The most probable class of each query after the last step, and its probability. */
  predicted: { label: number; probability: number }[];
  /** The adapted classifier after the last step: the blocks, the head and their support statistics. */
  adapted: { theta: Float32Array[]; head: ClassifierHead; stats: BlockStatistics[] };
}

export function classifyFewShot(net: ConvNet, body: Vec[], data: LabelledImages, inner: ConvInner): FewShotResult {
  const way = data.classes.length;
  const { classes, examples: per } = FEW_SHOT_LIMITS;
  if (way < classes.min || way > classes.max) throw new Error(`${way} classes: the model serves ${classes.min} to ${classes.max}`);
  const empty = data.classes.findIndex((c) => c.length === 0);
  if (empty >= 0) throw new Error(`class ${empty + 1} has no examples`);
  const many = data.classes.findIndex((c) => c.length > per.max);
  if (many >= 0) throw new Error(`class ${many + 1} has ${data.classes[many].length} examples: the model takes ${per.min} to ${per.max}`);
  if (!data.queries.length) throw new Error('there is nothing to classify: add a query image');
  const examples = data.classes.flat();
  const xs = new Float32Array(examples.length * 784);
  const ys = new Int32Array(examples.length);
  let row = 0;
  data.classes.forEach((c, label) =>
    c.forEach((img) => {
      xs.set(img, row * 784);
      ys[row++] = label;
    }),
  );
  const xq = new Float32Array(data.queries.length * 784);
  data.queries.forEach((q, i) => xq.set(q, i * 784));
  // Classes with more examples must not weigh more: each class's examples share one class's weight.
  const ws = Float64Array.from(ys, (label) => examples.length / (way * data.classes[label].length));
  const probs: Float32Array[] = [];
  const supportLoss: number[] = [];
  let params = withZeroHead(net, body, way);
  let frozen: FewShotResult['adapted'] | null = null;
  for (let j = 0; j <= inner.steps; j++) {
    const theta = params.slice(0, BODY_PARAMS).map((v) => Float32Array.from(v));
    const head = { W: Float32Array.from(params[BODY_PARAMS]), b: Float32Array.from(params[BODY_PARAMS + 1]), way };
    // One forward pass of the support set: its batch statistics freeze the queries' batch norm, and it gives the step's gradient.
    const s = net.forward(params, xs, examples.length, way);
    const stats = statisticsOf(s);
    probs.push(predictFrozen(theta, head, stats, xq));
    frozen = { theta, head, stats };
    const sb = net.backward(params, s, ys, ws);
    supportLoss.push(sb.loss);
    if (j < inner.steps) params = sgdStep(params, sb.grads, inner.alpha);
  }
  const last = probs[probs.length - 1];
  const predicted = data.queries.map((_, q) => {
    const best = mostProbableClass(last, q, way);
    return { label: best, probability: last[q * way + best] };
  });
  return { probs, supportLoss, predicted, adapted: frozen! };
}

/** The class of each query's nearest example in pixel space (Euclidean), with that distance. */
export function nearestNeighbour(data: LabelledImages): { label: number; distance: number }[] {
  return data.queries.map((q) => {
    let best = { label: -1, distance: Infinity };
    data.classes.forEach((c, label) =>
      c.forEach((img) => {
        let d = 0;
        for (let i = 0; i < q.length; i++) d += (q[i] - img[i]) ** 2;
        d = Math.sqrt(d);
        if (d < best.distance) best = { label, distance: d };
      }),
    );
    return best;
  });
}
