import { expect, test } from '@playwright/test';
import { watchErrors } from './helpers';

/**
 * The Omniglot and RL lessons set the lab up as they say (what each claim rests on is checked
 * on the learning core by npm run check-presets; here, that the page shows it).
 */
test.setTimeout(300_000);

test('RL lessons: a far goal, then three steps, with the returns after each step', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?experiment=rl');
  await expect(page.getByTestId('plane-maml').getByTestId('path-after')).toHaveCount(5, { timeout: 120_000 });
  await page.getByTestId('rl-lesson').selectOption('far-goal');
  await expect(page.getByTestId('rl-lesson-note')).toContainText('MAML vs pretrained on a far goal');
  await expect(page.getByTestId('rl-goal')).toContainText('(0.50, 0.50)');
  await expect(page.getByTestId('rl-summary')).toContainText('Goal (0.50, 0.50)', { timeout: 60_000 });
  await page.getByTestId('rl-lesson').selectOption('steps');
  await expect(page.getByTestId('rl-steps')).toHaveValue('3');
  await expect(page.getByTestId('rl-summary')).toContainText('after each of 3 steps', { timeout: 60_000 });
  // Before, then after each of the three steps, for each starting point.
  const text = await page.getByTestId('rl-summary').innerText();
  expect(text.match(/-?\d+\.\d → -?\d+\.\d → -?\d+\.\d → -?\d+\.\d/g)).toHaveLength(3);
  await expect(page.getByTestId('return-bars')).toContainText('3 gradient steps');
  expect(errors).toEqual([]);
});

test('Omniglot lessons: more inner steps than trained with; meta-learned vs pretrained at 20-way', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?experiment=omniglot');
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  await page.getByTestId('omniglot-lesson').selectOption('more-steps');
  await expect(page.getByTestId('omniglot-lesson-note')).toContainText('More inner steps than it was trained with');
  await expect(page.getByTestId('episode-way')).toHaveValue('20');
  // The episode plays 5 inner steps now: one accuracy bar per step.
  await expect(page.getByTestId('step-accuracy-5')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('omniglot-lesson-close')).toHaveText('Close (back to 1 test step)');
  await page.getByTestId('omniglot-lesson').selectOption('pretrained-20-way');
  // The next lesson gives the model its own single test step back: one bar after step 0.
  await expect(page.getByTestId('step-accuracy-1')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('step-accuracy-5')).toHaveCount(0);
  await expect(page.getByTestId('omniglot-lesson-close')).toHaveText('Close');
  await expect(page.getByTestId('eval-episodes')).toHaveValue('100');
  await expect(page.getByTestId('evaluation-progress')).toHaveAttribute('max', '200', { timeout: 30_000 });
  await expect(page.getByTestId('eval-20-way-1-shot').getByTestId('eval-pretrained')).toHaveText(/\d+\.\d% ± /, { timeout: 240_000 });
  expect(errors).toEqual([]);
});
