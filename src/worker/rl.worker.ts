/** The RL lab's worker: its message loop around createRlLab. */
import { createRlLab, type RlLabMessage } from './rlLab';
import type { FromRlWorker } from './rlProtocol';
import { serveWorker } from './runtime';

const post = (m: FromRlWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
const lab = createRlLab(post, (m) => loop.receive(m));

const loop = serveWorker<RlLabMessage>({
  init: 'init',
  // A newer goal replaces one still waiting; training runs one queued step at a time.
  rules: { adapt: 'latest', trainStep: 'latest' },
  handle: (m) => lab.handle(m),
  fail: (e) => post({ type: 'error', message: e.message }),
});
