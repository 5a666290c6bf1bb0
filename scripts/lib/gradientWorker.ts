/**
 * A further process for meta-training on more than one core (meta-train --threads N starts
 * N - 1): it rebuilds the same seeded batch and returns each task's meta-gradient for its
 * share of the tasks (src/maml/omniglot/dataParallel.ts). Started by
 * scripts/lib/metaTrainOmniglot.ts with child_process.fork.
 */
import { shareGradients, sliceBatch } from '../../src/maml/omniglot/dataParallel';
import { ConvNet } from '../../src/maml/networks/convNet';
import { convShape } from '../../src/maml/omniglot/convLearner';
import { defaultGemm } from '../../src/maml/networks/gemmSimd';
import { trainingSpec, type OmniglotConfig } from '../../src/maml/omniglot/config';
import { trainingBatch } from '../../src/maml/omniglot/tasks';
import { useBackend } from '../node-backend';
import { loadOmniglot } from './omniglotData';
import { loadStrokes } from './omniglotStrokes';

export type GradientRequest = { type: 'grad'; config: OmniglotConfig; iteration: number; from: number; to: number; body: Float32Array[] };

await useBackend('wasm');
const ds = loadOmniglot();
let net: ConvNet | null = null;

process.on('message', (msg: GradientRequest) => {
  try {
    const c = msg.config;
    if ((c.strokes ?? 0) > 0) ds.strokes ??= loadStrokes(ds);
    if (!net || net.shape.filters !== c.filters) net = new ConvNet(convShape(c.filters), defaultGemm());
    const batch = trainingBatch(ds, trainingSpec(c), c.metaBatch, c.seed, msg.iteration);
    const share = sliceBatch(batch, { from: msg.from, to: msg.to });
    process.send!({ type: 'grads', ...shareGradients(net, msg.body, share, { alpha: c.alpha, steps: c.trainSteps }, c.algorithm) });
  } catch (e) {
    process.send!({ type: 'error', message: (e as Error).message });
  }
});
process.send!({ type: 'ready' });
