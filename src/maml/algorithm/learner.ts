/**
 * What every learner is, whatever its network or engine (tfjs autodiff, the fused
 * sinusoid kernel, the conv-4 network, the Gaussian policy): meta-parameters and their
 * optimiser, advanced one meta-iteration at a time, saved and restored whole.
 */
import type { LearnerState } from '../checkpoint';

export interface Learner<Batch, Result> {
  /** Meta-iterations done. */
  iteration: number;
  /** One meta-iteration on `batch`. */
  step(batch: Batch): Result;
  /** Everything needed to resume: theta, the optimiser's moments and the iteration. */
  state(): Promise<LearnerState>;
  /** Continues from a `state()`; a state without optimiser slots starts the optimiser over. */
  restore(state: LearnerState): Promise<void>;
}
