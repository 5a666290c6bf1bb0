/**
 * Meta-iterations per second for a lab's status line, shared by the labs' workers: the
 * count over the last full window, and in a run's first window a provisional value (once
 * some iterations are done, after 200 ms), so a run never shows 0 while it trains.
 */
export class RateMeter {
  private since: number;
  private count = 0;
  private value = 0;

  constructor(
    /** The window the rate is measured over. */
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.since = now();
  }

  /** A run starts: counting starts again; with keepLast, the last rate stands until the new run has one of its own. */
  start(keepLast: boolean): void {
    this.since = this.now();
    this.count = 0;
    if (!keepLast) this.value = 0;
  }

  /** n more iterations done. */
  add(n = 1): void {
    this.count += n;
  }

  /** The rate now (updated when a window is full, or provisional within a run's first). */
  read(): number {
    const now = this.now();
    const elapsed = now - this.since;
    if (elapsed >= this.windowMs) {
      this.value = (this.count * 1000) / elapsed;
      this.since = now;
      this.count = 0;
    } else if (this.value === 0 && this.count > 0 && elapsed > 200) {
      this.value = (this.count * 1000) / elapsed;
    }
    return this.value;
  }
}
