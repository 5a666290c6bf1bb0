import { expect, test, type Page } from '@playwright/test';
import { SCREENSHOTS, watchErrors } from './helpers';

/**
 * The Omniglot and RL labs' tours, as the sinusoid one: every step highlights its panel (in its
 * own lab), sets up its state, the keys work, and it restarts and skips.
 */
test.setTimeout(240_000);

async function walk(page: Page, steps: { id: string; panel: string; check?: () => Promise<void> }[], name: string) {
  const tour = page.getByTestId('tour');
  for (const [i, step] of steps.entries()) {
    await expect(tour).toHaveAttribute('data-step', step.id);
    await expect(page.getByTestId('tour-count')).toHaveText(`Step ${i + 1} of ${steps.length}`);
    await expect(page.locator('.tour-target')).toHaveCount(1);
    await expect(page.locator('.tour-target')).toHaveAttribute('data-panel', step.panel);
    await expect(page.locator('.tour-target')).toBeVisible();
    await step.check?.();
    if (i === 1) {
      await page.keyboard.press('ArrowLeft');
      await expect(tour).toHaveAttribute('data-step', steps[0].id);
      await page.keyboard.press('ArrowRight');
      await expect(tour).toHaveAttribute('data-step', step.id);
    }
    if (i === steps.length - 1) break;
    if (i % 2) await page.keyboard.press('ArrowRight');
    else await page.getByTestId('tour-next').click();
  }
  await page.screenshot({ path: `${SCREENSHOTS}/${name}-tour-last-step.png` });
  await page.getByTestId('tour-done').click();
  await expect(tour).toHaveCount(0);
}

test('the Omniglot tour: an episode, the prototype step, meta-training, the baseline, your own characters', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?experiment=omniglot&o.way=10');
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  await page.getByTestId('omniglot-tour-start').click();
  await walk(
    page,
    [
      {
        id: 'episode',
        panel: 'episode',
        // The step sets up a 5-way 1-shot episode.
        check: async () => {
          await expect(page.getByTestId('episode-way')).toHaveValue('5');
          await expect(page.getByTestId('step-accuracy-0')).toBeVisible();
        },
      },
      { id: 'prototype', panel: 'episode', check: () => expect(page.getByTestId('tour').getByTestId('formula')).toHaveCount(1) },
      { id: 'meta-training', panel: 'curves', check: () => expect(page.getByTestId('tour').locator('.katex-html').first()).toBeVisible() },
      { id: 'baseline', panel: 'evaluation' },
      { id: 'own', panel: 'own' },
    ],
    'omniglot',
  );
  // Restartable, and Escape skips it; Skip tour too.
  await page.getByTestId('omniglot-tour-start').click();
  await expect(page.getByTestId('tour')).toHaveAttribute('data-step', 'episode');
  await expect(page.locator('#tour-title')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('tour')).toHaveCount(0);
  await page.getByTestId('omniglot-tour-start').click();
  await page.getByTestId('tour-skip').click();
  await expect(page.getByTestId('tour')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('the RL tour: the task family, rollouts before and after, the pretrained policy, the velocity task', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?experiment=rl');
  await expect(page.getByTestId('plane-maml').getByTestId('path-after')).toHaveCount(5, { timeout: 120_000 });
  await page.getByTestId('rl-tour-start').click();
  await walk(
    page,
    [
      { id: 'family', panel: 'planes', check: () => expect(page.getByTestId('family-navigation')).toBeChecked() },
      { id: 'rollouts', panel: 'planes', check: () => expect(page.getByTestId('rl-goal')).toContainText('(0.40, 0.40)') },
      { id: 'pretrained', panel: 'bars' },
      {
        id: 'velocity',
        panel: 'planes',
        check: async () => {
          await expect(page.getByTestId('family-velocity')).toBeChecked();
          await expect(page.getByTestId('velocity-pad')).toBeVisible({ timeout: 60_000 });
        },
      },
    ],
    'rl',
  );
  await page.getByTestId('rl-tour-start').click();
  await expect(page.getByTestId('tour')).toHaveAttribute('data-step', 'family');
  await expect(page.getByTestId('family-navigation')).toBeChecked();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('tour')).toHaveCount(0);
  expect(errors).toEqual([]);
});
