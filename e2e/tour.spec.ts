import { expect, test } from '@playwright/test';
import { SCREENSHOTS, waitForBackend, watchErrors } from './helpers';

test.setTimeout(240_000);

const STEPS = [
  { id: 'few-shot', panel: 'adaptation', formulas: 0 },
  { id: 'tasks', panel: 'adaptation', formulas: 0 },
  { id: 'inner', panel: 'inspector', formulas: 1 },
  { id: 'outer', panel: 'curves', formulas: 1 },
  { id: 'meta-gradient', panel: 'controls', formulas: 1 },
  { id: 'trajectory', panel: 'trajectory', formulas: 0 },
  { id: 'baseline', panel: 'adaptation', formulas: 0 },
];

test('the guided tour runs through every step, highlights its panel, sets up its state, and is keyboard-driven', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?autoplay=0&hide=trajectory');
  await waitForBackend(page);
  await page.getByTestId('tour-start').click();
  const tour = page.getByTestId('tour');
  for (const [i, step] of STEPS.entries()) {
    await expect(tour).toHaveAttribute('data-step', step.id);
    await expect(page.getByTestId('tour-count')).toHaveText(`Step ${i + 1} of ${STEPS.length}`);
    await expect(page.locator('.tour-target')).toHaveAttribute('data-panel', step.panel);
    await expect(tour.getByTestId('formula')).toHaveCount(step.formulas);
    if (step.formulas) await expect(tour.locator('.katex-html').first()).toBeVisible(); // typeset, not raw TeX
    if (step.id === 'inner') await expect(page.getByTestId('play')).toHaveText(/Play/); // paused to look at one task
    if (step.id === 'outer') await expect(page.getByTestId('play')).toHaveText(/Pause/); // training runs
    if (step.id === 'trajectory') await expect(page.getByTestId('trajectory')).toBeVisible(); // hidden by the URL, shown by the step
    if (step.id === 'meta-gradient') {
      // Back and forth with the keyboard.
      await page.keyboard.press('ArrowLeft');
      await expect(tour).toHaveAttribute('data-step', 'outer');
      await page.keyboard.press('ArrowRight');
      await expect(tour).toHaveAttribute('data-step', 'meta-gradient');
    }
    if (i === STEPS.length - 1) break;
    if (i % 2) await page.keyboard.press('ArrowRight');
    else await page.getByTestId('tour-next').click();
  }
  // The last step loads the meta-trained model, so the baseline's failure is visible.
  await expect(page.getByTestId('status')).toContainText(/meta-trained checkpoint/);
  await page.screenshot({ path: `${SCREENSHOTS}/tour-last-step.png` });
  await page.getByTestId('tour-done').click();
  await expect(tour).toHaveCount(0);

  // Restartable, and Escape skips it.
  await page.getByTestId('tour-start').click();
  await expect(tour).toHaveAttribute('data-step', 'few-shot');
  await expect(page.locator('#tour-title')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(tour).toHaveCount(0);
  expect(errors).toEqual([]);
});
