/**
 * A further process for meta-training on more than one core (meta-train --threads N starts
 * N - 1): it is sent its share of the meta-batch's episodes (built once, by the main process)
 * and returns each task's meta-gradient (src/maml/omniglot/dataParallel.ts). Started by
 * scripts/lib/metaTrainOmniglot.ts with child_process.fork.
 */
import { shareGradients } from '../../src/maml/omniglot/dataParallel';
import { ConvNet } from '../../src/maml/networks/convNet';
import { convShape } from '../../src/maml/omniglot/convLearner';
import { defaultGemm } from '../../src/maml/networks/gemmSimd';
import type { OmniglotConfig } from '../../src/maml/omniglot/config';
import type { EpisodeBatch } from '../../src/maml/omniglot/tasks';
import { useBackend } from '../node-backend';

/** One share of a meta-batch: its episodes (dataParallel.ts `sliceBatch`), the settings and θ. */
export type GradientRequest = { type: 'grad'; config: OmniglotConfig; batch: EpisodeBatch; body: Float32Array[] };

await useBackend('wasm');
let net: ConvNet | null = null;

process.on('message', (msg: GradientRequest) => {
  try {
    const c = msg.config;
    if (!net || net.shape.filters !== c.filters) net = new ConvNet(convShape(c.filters), defaultGemm());
    process.send!({ type: 'grads', ...shareGradients(net, msg.body, msg.batch, { alpha: c.alpha, steps: c.trainSteps }, c.algorithm) });
  } catch (e) {
    process.send!({ type: 'error', message: (e as Error).message });
  }
});
process.send!({ type: 'ready' });
