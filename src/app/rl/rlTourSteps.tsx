import type { BaseTourStep } from '../tour/Tour';
import type { TaskFamily } from '../../maml/rl/env';

/** What an RL tour step needs on screen before it speaks. */
export interface RlTourStep extends BaseTourStep {
  setup: { family?: TaskFamily; goal?: [number, number] };
}

/** The tour of the RL lab. */
export const RL_TOUR: RlTourStep[] = [
  {
    id: 'family',
    title: 'The task family',
    panel: 'planes',
    setup: { family: 'navigation' },
    body: (
      <p>
        Each <b>task</b> is a goal in the plane (the red target). A point starts at the origin, moves by at most 0.1 per step along each
        axis, and is rewarded by minus its squared distance to the goal, for 100 steps. Meta-training drew goals uniformly in the square
        [−0.5, 0.5]². The policy sees only its position, never the goal: it must find out from rewards.
      </p>
    ),
  },
  {
    id: 'rollouts',
    title: 'Before and after one policy-gradient step',
    panel: 'planes',
    setup: { family: 'navigation', goal: [0.4, 0.4] },
    body: (
      <p>
        Light paths are rollouts of each policy <em>before</em> adapting: 20 trajectories toward this goal give one vanilla policy-gradient
        step (α = 0.1). Dark paths are rollouts <em>after</em> that step. The MAML policy wanders around the origin before the step (it was
        meta-learned to explore) and heads for the goal after it. Click anywhere on a plane to move the goal.
      </p>
    ),
  },
  {
    id: 'pretrained',
    title: 'Why the pretrained policy cannot adapt',
    panel: 'bars',
    setup: { family: 'navigation', goal: [0.4, 0.4] },
    body: (
      <p>
        The pretrained policy was trained on all goals at once. Without knowing the goal, the best it can do is stay near the middle, and
        one step from there barely moves it: its returns before and after are close. MAML's initialisation may be no better before the step,
        and is much better after it: it is a point from which one gradient step goes far, in whichever direction the rewards say.
      </p>
    ),
  },
  {
    id: 'velocity',
    title: 'The velocity task',
    panel: 'planes',
    setup: { family: 'velocity' },
    body: (
      <p>
        A point mass with momentum and friction, and a goal <b>velocity</b> instead of a position: click the pad to set a direction and
        speed. The charts under each plane trace the body's velocity along the goal direction against the goal speed, before and after the
        step. The same algorithm, a different task family: MAML is model-agnostic.
      </p>
    ),
  },
];
