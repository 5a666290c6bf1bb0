/**
 * The lab's saved states (labStore.ts): what each keeps in this browser and how it is checked.
 */
import type { LearnerState } from '../maml/checkpoint';
import type { OmniglotConfig } from '../maml/omniglot/config';
import { OMNIGLOT_SETTINGS } from '../maml/omniglot/settings';
import { checkSettings } from '../maml/settings/table';
import type { SinusoidConfig } from '../maml/sinusoid/config';
import { checkConfig } from '../maml/sinusoid/settings';
import type { TaskFamily } from '../maml/rl/env';
import { finiteArrays, labStore } from './labStore';
import type { OmniglotCurvePoint, SettingsEvent } from './omniglotProtocol';
import type { MethodSpec } from './protocol';
import type { RlCurvePoint } from './rlProtocol';

export interface SavedOmniglot {
  version: 1;
  config: OmniglotConfig;
  learner: LearnerState;
  curves: OmniglotCurvePoint[];
  events?: SettingsEvent[];
  savedAt: string;
}

export interface SavedSinusoid {
  version: 1;
  config: SinusoidConfig;
  compare: MethodSpec[];
  learners: { maml: LearnerState; pretrained: LearnerState };
  trainSeconds: number;
  savedAt: string;
}

export interface SavedRl {
  version: 1;
  family: TaskFamily;
  learner: LearnerState;
  curves: RlCurvePoint[];
  savedAt: string;
}

function checkLearner(name: string, l: LearnerState | undefined): string | null {
  if (!l || !finiteArrays(l.theta)) return `its ${name} parameters are missing or not finite`;
  if (!Number.isInteger(l.iteration) || l.iteration < 0) return `its ${name} iteration is ${JSON.stringify(l.iteration)}`;
  return null;
}

export const omniglotStore = (report: (m: string) => void) =>
  labStore<SavedOmniglot>(
    'maml-lab/omniglot/v1',
    (s) =>
      s.version !== 1
        ? `it is version ${s.version}`
        : (checkLearner('model', s.learner) ?? (checkSettings(OMNIGLOT_SETTINGS, s.config) ? 'its settings are out of range' : null)),
    report,
  );

export const sinusoidStore = (report: (m: string) => void) =>
  labStore<SavedSinusoid>(
    'maml-lab/sinusoid/v1',
    (s) =>
      s.version !== 1
        ? `it is version ${s.version}`
        : (checkLearner('meta-learner', s.learners?.maml) ??
          checkLearner('baseline', s.learners?.pretrained) ??
          (checkConfig(s.config) ? `its settings are invalid (${checkConfig(s.config)})` : null)),
    report,
  );

export const rlStore = (family: TaskFamily, report: (m: string) => void) =>
  labStore<SavedRl>(
    `maml-lab/rl/${family}/v1`,
    (s) =>
      s.version !== 1 ? `it is version ${s.version}` : s.family !== family ? 'it is for another task' : checkLearner('policy', s.learner),
    report,
  );
