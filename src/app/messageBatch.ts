/**
 * Collects messages and hands them over together at most once per `intervalMs`, so a worker
 * streaming many small updates costs the page one render per interval, not one per message.
 * Order is kept; nothing is dropped.
 */
export function messageBatch<T>(deliver: (batch: T[]) => void, intervalMs: number) {
  let queue: T[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (!queue.length) return;
    const batch = queue;
    queue = [];
    deliver(batch);
  };
  return {
    push(m: T) {
      queue.push(m);
      if (timer === null) timer = setTimeout(flush, intervalMs);
    },
    /** Delivers what is waiting now (before a message that must not wait). */
    flush,
    cancel() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      queue = [];
    },
  };
}
