import type { BaseTourStep } from '../tour/Tour';
import { Formula } from '../tour/Formula';

/** What an Omniglot tour step needs on screen before it speaks. */
export interface OmniglotTourStep extends BaseTourStep {
  setup: {
    /** The episode shown (N-way K-shot, from the held-out alphabets). */
    episode?: { way: number; shot: number };
    /** Meta-training paused, so the picture holds still. */
    pause?: boolean;
  };
}

/** The tour of the Omniglot lab, in the order the idea builds up. */
export const OMNIGLOT_TOUR: OmniglotTourStep[] = [
  {
    id: 'episode',
    title: 'An episode',
    panel: 'episode',
    setup: { episode: { way: 5, shot: 1 }, pause: true },
    body: (
      <p>
        An <b>episode</b> draws N = 5 characters the network has never seen, from alphabets held out of meta-training, and gives it{' '}
        <b>one drawing of each</b>: the support set. The queries below are other drawings of the same characters, by other people. After
        seeing one example per class, the network has to tell them apart.
      </p>
    ),
  },
  {
    id: 'prototype',
    title: 'The zero head and the first step',
    panel: 'episode',
    setup: { episode: { way: 5, shot: 1 } },
    body: (
      <>
        <p>
          The network is four convolution blocks (what is meta-learned) and a linear head that starts at <b>zero</b> in every episode: at
          step 0 every class is equally likely (20%). One gradient step of the cross-entropy from a zero head gives class c the weights
        </p>
        <Formula
          tex="w_c = \tfrac{\alpha}{N}\,(\bar\phi_c - \bar\phi)"
          label="w c equals alpha over N times the mean features of class c minus the mean features of all examples"
        />
        <p>
          where φ̄<sub>c</sub> is the mean feature vector of class c's examples and φ̄ that of all examples: the first step makes a{' '}
          <b>prototype classifier</b>, and a query goes to the class whose features it matches best. Click the step bars to compare step 0
          and step 1.
        </p>
      </>
    ),
  },
  {
    id: 'meta-training',
    title: 'What meta-training changes',
    panel: 'curves',
    setup: {},
    body: (
      <>
        <p>
          Meta-training does not learn these characters. It changes the blocks θ so that this one step works on characters never seen:
          second-order MAML differentiates the query loss <em>through</em> the inner step,
        </p>
        <Formula
          tex="\theta \leftarrow \theta - \beta\,\nabla_\theta \textstyle\sum_{\mathcal T} \mathcal L^{\text{query}}_{\mathcal T}\big(\theta - \alpha\nabla_\theta \mathcal L^{\text{support}}_{\mathcal T}(\theta)\big)"
          label="theta becomes theta minus beta times the gradient, over tasks, of the query loss at theta minus alpha times the gradient of the support loss"
        />
        <p>
          The curves show query accuracy before adaptation (dashed: chance, the zero head) and after the step (solid) over the shipped
          model's meta-training. <em>Train</em> continues it here.
        </p>
      </>
    ),
  },
  {
    id: 'baseline',
    title: 'The pretrained baseline',
    panel: 'evaluation',
    setup: {},
    body: (
      <p>
        The same network trained the ordinary way: one classifier over all the training characters pooled, then adapted to each episode with
        the same zero head and steps. Its features are good for the characters it saw; MAML's are made for one step on new ones. The table
        compares both on held-out alphabets; 20-way within one alphabet (every class from the same script) is the hardest.
      </p>
    ),
  },
  {
    id: 'own',
    title: 'Your own characters',
    panel: 'own',
    setup: {},
    body: (
      <p>
        Now teach it characters of your own: draw them, drop or paste images, or take a photo of paper, 1 to 5 examples per class.{' '}
        <em>Classify</em> adapts exactly as in an episode and shows each step, beside the pretrained baseline, a random initialisation and
        nearest neighbour. Your images never leave this browser.
      </p>
    ),
  },
];
