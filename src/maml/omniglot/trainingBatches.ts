/**
 * The meta-training stream of a run: the batch of each iteration under its settings and seed,
 * with the next one drawn ahead while gradient helpers finish the current one (dataParallel.ts).
 * A batch drawn ahead is used only when the settings and iteration still match, so a setting
 * changed in between draws anew and the stream stays that of `trainingBatch`.
 */
import { trainingSpec, type OmniglotConfig } from './config';
import type { OmniglotDataset } from './pack';
import { trainingBatch, type EpisodeBatch } from './tasks';

const keyOf = (c: OmniglotConfig, iteration: number) => JSON.stringify([trainingSpec(c), c.metaBatch, c.seed, iteration]);

export class TrainingBatches {
  private ahead: { key: string; batch: EpisodeBatch } | null = null;

  constructor(private readonly ds: OmniglotDataset) {}

  /** Iteration `iteration`'s batch under `c`: the one drawn ahead when it matches, else drawn now. */
  at(c: OmniglotConfig, iteration: number): EpisodeBatch {
    const key = keyOf(c, iteration);
    const hit = this.ahead?.key === key ? this.ahead.batch : null;
    this.ahead = null;
    return hit ?? this.draw(c, iteration);
  }

  /** Draws iteration `iteration`'s batch now, for a later `at` (work for a thread that waits on others). */
  drawAhead(c: OmniglotConfig, iteration: number) {
    this.ahead = { key: keyOf(c, iteration), batch: this.draw(c, iteration) };
  }

  private draw(c: OmniglotConfig, iteration: number) {
    return trainingBatch(this.ds, trainingSpec(c), c.metaBatch, c.seed, iteration);
  }
}
