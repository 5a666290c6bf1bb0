/**
 * The message loop every worker runs. Each message type declares how it is dispatched:
 * - `queue` (the default): waits its turn and runs after the messages before it;
 * - `now`: runs as soon as it arrives, alongside whatever is running (pause, play);
 * - `latest`: waits its turn, and a newer message of the same type replaces one still
 *   waiting (a newer goal, a newer episode).
 * The worker's first message (`init`) completes before anything else runs, whatever its
 * rule: messages that arrive earlier wait for it. A handler that throws is reported
 * through `fail`, and the loop goes on.
 */
import { PING, PONG } from './livenessProtocol';

export type Dispatch = 'queue' | 'now' | 'latest';

export interface WorkerSpec<M extends { type: string }> {
  /** The message type that sets the worker up (none: every message may run from the start). */
  init?: M['type'];
  /** How each type is dispatched (unlisted types queue). */
  rules?: Partial<Record<M['type'], Dispatch>>;
  handle(message: M): Promise<void> | void;
  fail(error: Error, message: M): void;
}

export interface MessageLoop<M extends { type: string }> {
  /** Hands a message to the loop (what `onmessage` calls). */
  receive(message: M): void;
  /** Resolves when nothing is waiting or running in the queue. */
  idle(): Promise<void>;
}

export function messageLoop<M extends { type: string }>(spec: WorkerSpec<M>): MessageLoop<M> {
  const waiting: M[] = [];
  let ready = spec.init === undefined;
  let draining: Promise<void> | null = null;
  const rule = (m: M): Dispatch => spec.rules?.[m.type as M['type']] ?? 'queue';

  const run = async (m: M) => {
    try {
      await spec.handle(m);
    } catch (e) {
      spec.fail(e instanceof Error ? e : new Error(String(e)), m);
    }
  };

  const drain = async () => {
    for (;;) {
      let i = 0;
      if (!ready) {
        i = waiting.findIndex((m) => m.type === spec.init);
        if (i < 0) return; // nothing runs before init
      }
      if (i >= waiting.length) return;
      const [m] = waiting.splice(i, 1);
      await run(m);
      if (m.type === spec.init) ready = true;
    }
  };

  const kick = () => {
    draining ??= drain().finally(() => {
      draining = null;
      // A message may have arrived as the last one finished.
      if (waiting.length && (ready || waiting.some((m) => m.type === spec.init))) kick();
    });
  };

  return {
    receive(m) {
      const r = rule(m);
      if (ready && r === 'now') {
        void run(m);
        return;
      }
      if (r === 'latest') {
        const older = waiting.findIndex((w) => w.type === m.type);
        if (older >= 0) waiting.splice(older, 1);
      }
      waiting.push(m);
      kick();
    },
    async idle() {
      while (draining) await draining;
    },
  };
}

/** Runs `spec` as this worker's message loop, answering liveness pings (livenessProtocol.ts) at once. */
export function serveWorker<M extends { type: string }>(spec: WorkerSpec<M>): MessageLoop<M> {
  const loop = messageLoop(spec);
  const scope = self as unknown as { onmessage: (e: MessageEvent<M>) => void; postMessage(m: unknown): void };
  scope.onmessage = (e) => (e.data?.type === PING ? scope.postMessage({ type: PONG }) : loop.receive(e.data));
  return loop;
}
