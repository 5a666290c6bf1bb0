/**
 * The user's own trained Omniglot state in IndexedDB (idb-keyval), so that training
 * done in the browser survives a reload until the user resets it.
 */
import { del, get, set } from 'idb-keyval';
import type { LearnerState } from '../maml/checkpoint';
import type { OmniglotConfig } from '../maml/omniglot/config';
import { OMNIGLOT_SETTINGS } from '../maml/omniglot/settings';
import { checkSettings } from '../maml/settings/table';
import type { OmniglotCurvePoint, SettingsEvent } from './omniglotProtocol';

const KEY = 'maml-lab/omniglot/v1';

export interface SavedOmniglot {
  version: 1;
  config: OmniglotConfig;
  learner: LearnerState;
  curves: OmniglotCurvePoint[];
  events?: SettingsEvent[];
  savedAt: string;
}

export async function loadSaved(): Promise<SavedOmniglot | null> {
  try {
    const s = (await get(KEY)) as SavedOmniglot | undefined;
    if (!s || s.version !== 1 || !Array.isArray(s.learner?.theta)) return null;
    if (!s.learner.theta.every((t) => t instanceof Float32Array && t.every(Number.isFinite))) return null;
    if (checkSettings(OMNIGLOT_SETTINGS, s.config)) return null; // settings no control could set
    return s;
  } catch {
    return null; // no IndexedDB (private mode, blocked): nothing saved
  }
}

export async function save(s: SavedOmniglot): Promise<void> {
  await set(KEY, s);
}

export async function clearSaved(): Promise<void> {
  try {
    await del(KEY);
  } catch {
    /* nothing to clear */
  }
}
