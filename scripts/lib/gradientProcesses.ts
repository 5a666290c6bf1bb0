/**
 * The helper processes of Omniglot meta-training on several cores (meta-train --threads N,
 * bench --threads N): `count` forks of gradientWorker.ts, run by vite-node like the scripts.
 * Each is asked for its share of a meta-batch (src/maml/omniglot/dataParallel.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ShareGradients } from '../../src/maml/omniglot/dataParallel';
import type { GradientRequest } from './gradientWorker';

export interface GradientProcesses {
  count: number;
  /** Sends a request to helper `h`; resolves once it is out (it is larger than a pipe buffer, so before this process blocks), with the answer to come. */
  request(h: number, msg: GradientRequest): Promise<{ result: Promise<ShareGradients> }>;
  close(): void;
}

export async function startGradientProcesses(count: number): Promise<GradientProcesses> {
  const helpers = await Promise.all(Array.from({ length: Math.max(0, count) }, () => startOne()));
  return {
    count: helpers.length,
    request: (h, msg) => helpers[h].request(msg),
    close: () => helpers.forEach((h) => h.child.kill()),
  };
}

async function startOne() {
  const bin = join(import.meta.dirname ?? '.', '..', '..', 'node_modules', 'vite-node', 'dist', 'cli.mjs');
  const child: ChildProcess = fork(
    existsSync(bin) ? bin : 'node_modules/.bin/vite-node',
    [join(import.meta.dirname ?? '.', 'gradientWorker.ts')],
    { serialization: 'advanced' },
  );
  /** What the gradient worker answers (scripts/lib/gradientWorker.ts). */
  type Reply = { type: 'ready' } | ({ type: 'grads' } & ShareGradients) | { type: 'error'; message: string };
  let waiting: ((m: Reply) => void) | null = null;
  child.on('message', (m: Reply) => waiting?.(m));
  child.on('exit', (code) => {
    if (code) {
      console.error(`gradient worker exited with ${code}`);
      process.exit(1);
    }
  });
  await new Promise<void>((resolve) => (waiting = (m) => m.type === 'ready' && resolve()));
  const request = async (msg: GradientRequest) => {
    let sent!: Promise<void>;
    const result = new Promise<ShareGradients>((resolve, reject) => {
      waiting = (m) => (m.type === 'grads' ? resolve(m) : reject(new Error(m.type === 'error' ? m.message : `unexpected ${m.type}`)));
      sent = new Promise<void>((ok, fail) => child.send(msg, (e) => (e ? fail(e) : ok())));
    });
    await sent;
    return { result };
  };
  return { child, request };
}
