/**
 * Lessons for the RL lab: each sets the task, the goal and the number of policy-gradient steps,
 * says what to look at, and is checked on the learning core by `npm run check-presets`.
 */
import type { TaskFamily } from './env';

export interface RlLesson {
  id: 'far-goal' | 'steps';
  title: string;
  says: string;
  family: TaskFamily;
  goal: [number, number];
  steps: number;
}

export const RL_LESSONS: readonly RlLesson[] = [
  {
    id: 'far-goal',
    title: 'MAML vs pretrained on a far goal',
    says: 'A goal in the corner, (0.5, 0.5), as far as meta-training ever put one. After one policy-gradient step the MAML policy reaches it (about −15 against −48 for the pretrained policy), which hardly moves: trained on all goals at once, it has learned to stay in the middle.',
    family: 'navigation',
    goal: [0.5, 0.5],
    steps: 1,
  },
  {
    id: 'steps',
    title: 'One step vs three steps',
    says: 'The same far goal with three policy-gradient steps, each from fresh rollouts (the summary under the plots lists the return after each step). The pretrained policy creeps toward the goal a little each step; one MAML step does better than its three. The second MAML step improves again; the third, of the same size, can overshoot: the policy was meta-trained for one step.',
    family: 'navigation',
    goal: [0.5, 0.5],
    steps: 3,
  },
];
