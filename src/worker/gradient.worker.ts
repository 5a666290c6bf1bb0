/** One of the Omniglot lab's gradient workers (gradientProtocol.ts): a share of each meta-batch, on its own core. */
import './wasmBackend';
import * as tf from '../maml/tf';
import { ConvNet } from '../maml/networks/convNet';
import { convShape } from '../maml/omniglot/convLearner';
import { jsGemm, type Gemm } from '../maml/networks/gemm';
import { defaultGemm } from '../maml/networks/gemmSimd';
import { shareBuffers, shareGradients } from '../maml/omniglot/dataParallel';
import type { FromGradientWorker, ToGradientWorker } from './gradientProtocol';
import { serveWorker } from './runtime';

const post = (m: FromGradientWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
let gemm: Gemm = defaultGemm();
let net: ConvNet | null = null;

serveWorker<ToGradientWorker>({
  init: 'init',
  async handle(m) {
    if (m.type === 'init') {
      // The lab's own thread uses the same products, so each task's arithmetic is the same wherever it runs.
      if (!(await tf.setBackend('wasm').catch(() => false)) && (await tf.setBackend('cpu'))) gemm = jsGemm;
      await tf.ready();
      post({ type: 'ready', gemm: gemm.name });
      return;
    }
    if (!net || net.shape.filters !== m.filters) net = new ConvNet(convShape(m.filters), gemm);
    const out = shareGradients(net, m.body, m.batch, m.inner, m.algorithm);
    post({ type: 'grads', id: m.id, ...out }, shareBuffers(out));
  },
  fail: (e, m) => post({ type: 'error', id: m.type === 'grad' ? m.id : undefined, message: e.message }),
});
