/** The sinusoid lab's worker: its message loop around createSinusoidLab. */
import { createSinusoidLab } from './sinusoidLab';
import type { FromWorker, ToWorker } from './protocol';
import { serveWorker } from './runtime';

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
const lab = createSinusoidLab(post);

serveWorker<ToWorker>({
  init: 'init',
  // Pause and play act at once; everything else runs in order, between training slices;
  // a newer task replaces one still waiting.
  rules: { pause: 'now', play: 'now', loseDevice: 'now', setTask: 'latest' },
  handle: (m) => lab.handle(m),
  fail: (e) => post({ type: 'error', message: e.message }),
});
