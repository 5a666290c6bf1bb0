import type { Algorithm } from '../algorithm/algorithm';

/** Everything that defines a sinusoid meta-learning run. */
export interface SinusoidConfig {
  algorithm: Algorithm;
  /** Inner learning rate alpha. */
  alpha: number;
  /** Inner steps during meta-training. */
  trainSteps: number;
  /** Inner steps shown and evaluated at test time. */
  testSteps: number;
  /** Outer (Adam) learning rate beta. */
  metaLr: number;
  /** Tasks per meta-batch. */
  metaBatch: number;
  /** K: support points per task (and as many query points). */
  shots: number;
  hidden: number[];
  seed: number;
}

/** The paper's settings (section 5.1 and appendix A.1). */
export const PAPER_SINUSOID_CONFIG: SinusoidConfig = {
  algorithm: 'maml2',
  alpha: 0.01,
  trainSteps: 1,
  testSteps: 10,
  metaLr: 0.001,
  metaBatch: 25,
  shots: 10,
  hidden: [40, 40],
  seed: 1,
};
