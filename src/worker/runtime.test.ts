import { describe, expect, it } from 'vitest';
import { messageLoop } from './runtime';

type Msg = { type: 'init' | 'work' | 'pause' | 'goal' | 'boom'; n?: number };

/** A loop whose handlers log when they start and end; `work` and `init` take a few ticks. */
function harness() {
  const log: string[] = [];
  const failed: string[] = [];
  const ticks = (k: number) => new Promise<void>((r) => setTimeout(r, k));
  const loop = messageLoop<Msg>({
    init: 'init',
    rules: { pause: 'now', goal: 'latest' },
    async handle(m) {
      const name = m.n === undefined ? m.type : `${m.type}${m.n}`;
      log.push(`start ${name}`);
      if (m.type === 'boom') throw new Error('boom');
      if (m.type === 'init' || m.type === 'work') await ticks(5);
      log.push(`end ${name}`);
    },
    fail: (e, m) => failed.push(`${m.type}: ${e.message}`),
  });
  return { log, failed, loop };
}

describe('the worker message loop', () => {
  it('runs nothing before init completes, even messages that arrived first or run now', async () => {
    const { log, loop } = harness();
    loop.receive({ type: 'work', n: 1 });
    loop.receive({ type: 'pause' });
    loop.receive({ type: 'init' });
    await loop.idle();
    expect(log).toEqual(['start init', 'end init', 'start work1', 'end work1', 'start pause', 'end pause']);
  });

  it('queues in order; a `now` message runs alongside a running one', async () => {
    const { log, loop } = harness();
    loop.receive({ type: 'init' });
    await loop.idle();
    log.length = 0;
    loop.receive({ type: 'work', n: 1 });
    loop.receive({ type: 'work', n: 2 });
    await new Promise((r) => setTimeout(r, 1));
    loop.receive({ type: 'pause' });
    await loop.idle();
    expect(log).toEqual(['start work1', 'start pause', 'end pause', 'end work1', 'start work2', 'end work2']);
  });

  it('a newer `latest` message replaces one still waiting, not one already running', async () => {
    const { log, loop } = harness();
    loop.receive({ type: 'init' });
    loop.receive({ type: 'goal', n: 1 });
    loop.receive({ type: 'goal', n: 2 });
    loop.receive({ type: 'work', n: 1 });
    loop.receive({ type: 'goal', n: 3 });
    await loop.idle();
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start init', 'start work1', 'start goal3']);
  });

  it('reports a handler that throws and goes on with the next message', async () => {
    const { log, failed, loop } = harness();
    loop.receive({ type: 'init' });
    loop.receive({ type: 'boom' });
    loop.receive({ type: 'work', n: 1 });
    await loop.idle();
    expect(failed).toEqual(['boom: boom']);
    expect(log.at(-1)).toBe('end work1');
  });

  it('keeps serving after the queue ran dry', async () => {
    const { log, loop } = harness();
    loop.receive({ type: 'init' });
    await loop.idle();
    loop.receive({ type: 'work', n: 7 });
    await loop.idle();
    expect(log.at(-1)).toBe('end work7');
  });
});
