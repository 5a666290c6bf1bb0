/**
 * A lab's worker, restarted when it fails: an uncaught error, a failed load, or no answer to a
 * liveness ping (worker/livenessProtocol.ts) for DEAD_AFTER_MS (a worker the browser terminated
 * sends nothing at all). The new worker gets the lab's init message again, built from the
 * page's current settings, and continues from the training the lab saved in this browser.
 */
import { PING, PONG } from '../worker/livenessProtocol';

const PING_EVERY_MS = 5000;
export const DEAD_AFTER_MS = 30_000;
/** Restarts allowed within RESTART_WINDOW_MS before the supervisor gives up (a worker that fails at once, every time). */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 120_000;

export interface Supervised<To> {
  post(m: To, transfer?: Transferable[]): void;
  terminate(): void;
  /** A fresh start the user asked for (Retry after a failed start): not counted as a failure. */
  restart(): void;
}

export function supervisedWorker<To, From>(o: {
  make: () => Worker;
  /** The init message for each start (the first and every restart). */
  init: (restart: boolean) => To;
  onMessage: (m: From) => void;
  /** Messages that bring a restarted worker back to what the page shows (sent after init). */
  resume?: () => To[];
  /** Told why the worker was restarted, or (gaveUp) why it was not. */
  onRestart: (reason: string, gaveUp: boolean) => void;
}): Supervised<To> {
  let worker: Worker;
  let lastHeard = 0;
  let pingSent = 0;
  let restarts: number[] = [];
  let stopped = false;
  /** Ended by the page: nothing starts again. */
  let terminated = false;

  const start = (restart: boolean) => {
    worker = o.make();
    lastHeard = 0;
    pingSent = 0;
    worker.onmessage = (e: MessageEvent) => {
      lastHeard = Date.now();
      if ((e.data as { type?: string })?.type !== PONG) o.onMessage(e.data as From);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      fail(e.message || 'it could not run');
    };
    worker.onmessageerror = () => fail('a message could not be read');
    worker.postMessage(o.init(restart));
    if (restart) for (const m of o.resume?.() ?? []) worker.postMessage(m);
  };

  const fail = (reason: string) => {
    if (stopped) return;
    worker.terminate();
    const now = Date.now();
    restarts = restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (restarts.length >= MAX_RESTARTS) {
      stopped = true;
      o.onRestart(`The worker failed ${MAX_RESTARTS + 1} times in two minutes (last: ${reason}); reload the page to try again.`, true);
      return;
    }
    restarts.push(now);
    o.onRestart(`The worker stopped (${reason}) and was restarted from the training last saved in this browser.`, false);
    start(true);
  };

  // Pings only once the worker has spoken (its start, calibration included, is not timed).
  const timer = setInterval(() => {
    if (stopped || !lastHeard) return;
    const now = Date.now();
    if (pingSent > lastHeard && now - pingSent > DEAD_AFTER_MS) return fail(`no answer for ${Math.round((now - lastHeard) / 1000)} s`);
    if (pingSent <= lastHeard && now - lastHeard > PING_EVERY_MS) {
      pingSent = now;
      worker.postMessage({ type: PING });
    }
  }, 1000);

  start(false);
  return {
    post: (m, transfer = []) => worker.postMessage(m, transfer),
    terminate() {
      stopped = true;
      terminated = true;
      clearInterval(timer);
      worker.terminate();
    },
    restart() {
      if (terminated) return;
      stopped = false;
      worker.terminate();
      restarts = [];
      start(false);
    },
  };
}
