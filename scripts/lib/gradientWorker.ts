/**
 * A second process for meta-training on more than one core (meta-train --threads 2):
 * it rebuilds the same seeded batch and returns the meta-gradient of its share of the
 * tasks. Started by scripts/lib/metaTrainOmniglot.ts with child_process.fork.
 */
import { metaGradientRange } from '../../src/maml/omniglot/convMaml';
import { ConvNet } from '../../src/maml/networks/convNet';
import { convShape } from '../../src/maml/omniglot/convLearner';
import { tfGemm } from '../../src/maml/networks/gemm';
import { trainingSpec, type OmniglotConfig } from '../../src/maml/omniglot/config';
import { trainingBatch } from '../../src/maml/omniglot/tasks';
import { useBackend } from '../node-backend';
import { loadOmniglot } from './omniglotData';

export type GradientRequest = { type: 'grad'; config: OmniglotConfig; iteration: number; from: number; to: number; body: Float32Array[] };

await useBackend('wasm');
const ds = loadOmniglot();
let net: ConvNet | null = null;

process.on('message', (msg: GradientRequest) => {
  try {
    const c = msg.config;
    if (!net || net.shape.filters !== c.filters) net = new ConvNet(convShape(c.filters), tfGemm);
    const batch = trainingBatch(ds, trainingSpec(c), c.metaBatch, c.seed, msg.iteration);
    const grads = msg.body.map((b) => new Float32Array(b.length));
    const sums = metaGradientRange(net, msg.body, batch, { alpha: c.alpha, steps: c.trainSteps }, c.algorithm, grads, msg.from, msg.to);
    process.send!({ type: 'grads', grads, sums });
  } catch (e) {
    process.send!({ type: 'error', message: (e as Error).message });
  }
});
process.send!({ type: 'ready' });
