/** The Omniglot lab's worker: its message loop around createOmniglotLab. */
import { createOmniglotLab } from './omniglotLab';
import type { FromOmniglotWorker, ToOmniglotWorker } from './omniglotProtocol';
import { serveWorker } from './runtime';

const post = (m: FromOmniglotWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
const lab = createOmniglotLab(post, {
  spawnGradientWorker: () => new Worker(new URL('./gradient.worker.ts', import.meta.url), { type: 'module' }),
});

serveWorker<ToOmniglotWorker>({
  init: 'init',
  // Play, pause and a new target act at once, between training slices; a newer episode
  // replaces one still waiting; decoding, adding, classifying and the rest run in order.
  rules: {
    play: 'now',
    pause: 'now',
    setTarget: 'now',
    cancelBatch: 'now',
    loseDevice: 'now',
    stopCompare: 'now',
    episode: 'latest',
    confusion: 'latest',
  },
  handle: (m) => lab.handle(m),
  fail: (e) => post({ type: 'error', message: e.message }),
});
