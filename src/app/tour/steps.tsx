import type { ReactNode } from 'react';
import type { TaskRef } from '../urlState';
import { Formula } from './Formula';

/** What a tour step needs on screen before it speaks. */
export interface TourSetup {
  task?: TaskRef;
  running?: boolean;
  /** Load the shipped meta-trained model first. */
  checkpoint?: boolean;
}

export interface TourStep {
  id: string;
  title: string;
  /** The panel it talks about (data-panel), highlighted and scrolled to. */
  panel: string;
  setup: TourSetup;
  body: ReactNode;
}

/** The guided tour of MAML, in the order the idea builds up. */
export const TOUR_STEPS: TourStep[] = [
  {
    id: 'few-shot',
    title: 'Few-shot learning',
    panel: 'adaptation',
    setup: { task: { kind: 'trajectory', index: 0 }, running: false },
    body: (
      <p>
        A new problem arrives with only a handful of examples: here <b>K = 10 points</b> (orange) of a sine wave we have never seen. Fitting
        a network to 10 points from scratch overfits. The question of few-shot learning: what should a network already know so that a few
        examples and a few gradient steps are enough?
      </p>
    ),
  },
  {
    id: 'tasks',
    title: 'Tasks and episodes',
    panel: 'adaptation',
    setup: { task: { kind: 'view', index: 1 }, running: false },
    body: (
      <p>
        Every sine wave (amplitude 0.1–5, phase 0–π) is a <b>task</b>. An <b>episode</b> draws a task, gives K<em> support</em> points to
        learn from, and keeps K <em>query</em> points to score what was learned. A new task has just been drawn: same family, different
        amplitude and phase. Meta-training sees thousands of such episodes.
      </p>
    ),
  },
  {
    id: 'inner',
    title: 'The inner loop: adapting to one task',
    panel: 'inspector',
    setup: { running: false },
    body: (
      <>
        <p>From the shared starting point θ, a few gradient steps on the task’s support loss give task-specific parameters:</p>
        <Formula
          tex={String.raw`\theta_i' = \theta - \alpha\,\nabla_\theta \mathcal{L}^{\text{support}}_{\mathcal{T}_i}(f_\theta)`}
          label="theta i prime equals theta minus alpha times the gradient of the support loss of task i at theta"
        />
        <p>
          The table shows each step: the support loss, the error against the true sine, and each layer’s gradient. Drag the slider or press
          play.
        </p>
      </>
    ),
  },
  {
    id: 'outer',
    title: 'The outer loop: learning the starting point',
    panel: 'curves',
    setup: { running: true },
    body: (
      <>
        <p>
          MAML moves θ so that <em>after</em> the inner loop the query loss is low, summed over a meta-batch of tasks:
        </p>
        <Formula
          tex={String.raw`\theta \leftarrow \theta - \beta\,\nabla_\theta \sum_{\mathcal{T}_i} \mathcal{L}^{\text{query}}_{\mathcal{T}_i}\big(f_{\theta_i'}\big)`}
          label="theta becomes theta minus beta times the gradient with respect to theta of the sum over tasks of the query loss after adaptation"
        />
        <p>
          Training is running now: the solid blue curve (after adaptation) falls below the dashed one (before) — the meta-learner is
          learning to learn.
        </p>
      </>
    ),
  },
  {
    id: 'meta-gradient',
    title: 'The meta-gradient',
    panel: 'controls',
    setup: { running: true },
    body: (
      <>
        <p>θ′ depends on θ through the inner step, so the chain rule brings in the Hessian of the support loss:</p>
        <Formula
          tex={String.raw`\nabla_\theta \mathcal{L}^{\text{query}}(f_{\theta'}) = \big(I - \alpha\,\nabla^2_\theta \mathcal{L}^{\text{support}}(f_\theta)\big)\,\nabla_{\theta'} \mathcal{L}^{\text{query}}(f_{\theta'})`}
          label="the meta-gradient equals identity minus alpha times the Hessian of the support loss, times the gradient of the query loss at theta prime"
        />
        <p>
          <b>Second-order MAML</b> computes it exactly (Hessian-vector products); <b>first-order MAML</b> drops the Hessian term;{' '}
          <b>Reptile</b> moves θ towards θ′. Pick one under <em>Algorithm</em>, or compare them side by side with the preset{' '}
          <em>First-order vs second-order</em>.
        </p>
      </>
    ),
  },
  {
    id: 'trajectory',
    title: 'The trajectory picture',
    panel: 'trajectory',
    setup: { running: true },
    body: (
      <p>
        The paper’s figure 1, live: θ’s path during meta-training, projected on its two main directions. From the current θ, grey paths show
        the inner steps of five tasks towards each task’s best parameters θ*ᵢ (×). MAML looks for a θ from which every task’s optimum is a
        few steps away; the distance plot beside it tracks that distance.
      </p>
    ),
  },
  {
    id: 'baseline',
    title: 'Why the pretrained baseline fails',
    panel: 'adaptation',
    setup: { checkpoint: true, running: false, task: { kind: 'view', index: 2 } },
    body: (
      <p>
        The meta-trained model (70,000 iterations) is loaded. The baseline was trained on all tasks pooled: the best single guess for a
        random sine is nearly flat (the average of sines with random phase), and from there ten small steps barely move it. MAML’s starting
        point is not the best guess for any one task, but the one from which the K points pull it to the right sine fastest — compare the
        two panels’ support errors.
      </p>
    ),
  },
];
