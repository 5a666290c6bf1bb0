/** The RL lab's settings table: the task family on show (the goal has its own reader in the page's link code). */
import type { TaskFamily } from './env';
import { TASK_FAMILIES } from './rlConfig';
import type { SettingsTable } from '../settings/table';

export const RL_SETTINGS: SettingsTable<{ family: TaskFamily }> = {
  settings: [{ type: 'choice', key: 'family', url: 'task', label: 'Task family', options: TASK_FAMILIES }],
  range: (s) => `must be from ${s.min} to ${s.max}`,
};
