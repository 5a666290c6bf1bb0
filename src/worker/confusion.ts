/**
 * The confusion view's episode in the Omniglot worker: the seeded held-out episode of a
 * request (confusion.ts), adapted from the meta-learned blocks with the evaluation's inner
 * loop (adaptationTrace), its query probabilities after the last step.
 */
import { innerFor } from '../maml/omniglot/config';
import { sampleConfusionEpisode, type ConfusionRequest } from '../maml/omniglot/confusion';
import { adaptationTrace, episodeTask } from '../maml/omniglot/convMaml';
import type { ConvMetaLearner } from '../maml/omniglot/convLearner';
import { toInkBytes, type OmniglotDataset } from '../maml/omniglot/pack';
import type { ConfusionEpisode } from './omniglotProtocol';

export function confusionEpisode(ds: OmniglotDataset, learner: ConvMetaLearner, request: ConfusionRequest): ConfusionEpisode {
  const batch = sampleConfusionEpisode(ds, request);
  const inner = innerFor(learner.config, request.way);
  const trace = adaptationTrace(learner.net, learner.body, episodeTask(batch, 0), inner);
  return {
    request: { way: request.way, shot: request.shot, mode: request.mode, seed: request.seed },
    steps: inner.steps,
    alpha: inner.alpha,
    classes: batch.classes[0].map((c) => ({ alphabet: c.alphabet, character: c.character })),
    support: toInkBytes(batch.support),
    query: toInkBytes(batch.query),
    queryLabels: batch.queryLabels,
    probs: trace.probs[trace.probs.length - 1],
    iteration: learner.iteration,
  };
}
