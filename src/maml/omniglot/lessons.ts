/**
 * Lessons for the Omniglot lab: each sets the lab up to show one claim, says what to look at,
 * and is checked on the learning core by `npm run check-presets` (scripts/check-presets.ts),
 * with the thresholds written next to each claim there.
 */
import type { ConvAlgorithm } from '../algorithm/algorithm';

export interface OmniglotLesson {
  id: 'orders' | 'pretrained-20-way' | 'more-steps';
  title: string;
  /** What the lesson shows, in the page. */
  says: string;
  /** The episode shown. */
  episode?: { way: number; shot: number };
  /** Inner steps at test time (the episode view plays each). */
  testSteps?: number;
  /** Runs the held-out evaluation of these settings (mixed alphabets), with the pretrained baseline beside the model. */
  evaluate?: { episodes: number; settings: { way: number; shot: number }[] };
  /** Meta-trains these algorithms side by side from one random initialisation (the comparison panel). */
  compare?: ConvAlgorithm[];
}

export const OMNIGLOT_LESSONS: readonly OmniglotLesson[] = [
  {
    id: 'orders',
    title: 'Second- vs first-order MAML vs Reptile',
    says: 'Three algorithms meta-train side by side from the same random initialisation on the same episodes (a small network, 5-way 1-shot, 3 inner steps). Second- and first-order MAML climb quickly and close together: dropping the second derivatives costs little here. Reptile, which moves toward the adapted weights instead of differentiating the query loss, learns more slowly at this size.',
    compare: ['maml2', 'maml1', 'reptile'],
  },
  {
    id: 'pretrained-20-way',
    title: 'Meta-learned vs pretrained at 20-way',
    says: 'The held-out 20-way 1-shot evaluation runs for the meta-learned model and the pretrained baseline on the same episodes, each adapted with the same single gradient step. The meta-learned model is well ahead (about 79% against 61% over 100 episodes): its features are made for one step on characters it has never seen. Given three steps the baseline gets closer (about 72%), still behind.',
    episode: { way: 20, shot: 1 },
    evaluate: { episodes: 100, settings: [{ way: 20, shot: 1 }] },
  },
  {
    id: 'more-steps',
    title: 'More inner steps than it was trained with',
    says: 'The shipped model was meta-trained with one inner step at 20-way, with a large inner learning rate (α = 1.6). Here it adapts with 5 steps: at 20-way the extra steps overshoot and accuracy falls (about 79% after one step, about 67% after five); at 5-way, where α is scaled down to 0.4, extra steps change almost nothing (about 92%). The initialisation is tuned to the steps it was trained with.',
    episode: { way: 20, shot: 1 },
    testSteps: 5,
  },
];
