import { expect, test } from '@playwright/test';
import { SCREENSHOTS, iteration, waitForBackend, watchErrors } from './helpers';

test.setTimeout(240_000);

test('comparison mode trains every selected method on the same tasks and shows each one', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?autoplay=0&metaBatch=5');
  await waitForBackend(page);
  await expect(page.getByTestId('compare')).toHaveCount(0);
  for (const m of ['maml2', 'maml1', 'reptile', 'pretrained']) await page.getByTestId(`compare-${m}`).check();
  await expect(page.getByTestId('compare')).toBeVisible();
  expect(new URL(page.url()).searchParams.get('compare')).toBe('maml2,maml1,reptile,pretrained');
  for (let i = 1; i <= 3; i++) {
    await page.getByTestId('step').click();
    await expect.poll(() => iteration(page)).toBe(i);
  }
  for (const m of ['maml2', 'maml1', 'reptile', 'pretrained']) {
    await expect(page.getByTestId(`compare-curve-${m}`)).toHaveAttribute('d', /M.*L/);
    await expect(page.getByTestId(`compare-final-${m}`)).toHaveText(/\d\.\d{3}/);
    await expect(page.getByTestId(`compare-adapt-${m}-step-10`)).toHaveAttribute('d', /M/);
  }
  // Same initialisation, same stream: before adaptation on the first batch, the methods agree; they differ later.
  const finals = await Promise.all(['maml2', 'maml1', 'reptile'].map((m) => page.getByTestId(`compare-final-${m}`).innerText()));
  expect(new Set(finals).size).toBeGreaterThan(1);
  await page.getByTestId('compare').screenshot({ path: `${SCREENSHOTS}/compare.png` });

  // A preset with its own K: K = 1 adapts on one point, K = 10 on ten.
  await page.getByTestId('preset').selectOption('k1-vs-k10');
  await expect(page.getByTestId('preset-note')).toContainText(/K = 1 vs K = 10/);
  await expect(page.getByTestId('compare-adapt-maml2-k1-support')).toHaveCount(1);
  await expect(page.getByTestId('compare-adapt-maml2-support')).toHaveCount(10);
  await expect(page.getByTestId('compare-curve-maml2-k1')).toHaveAttribute('d', /M.*L/, { timeout: 60_000 });
  await expect(page.getByTestId('compare-curve-maml2')).toHaveAttribute('d', /M.*L/);
  // Unchecking back to one method leaves comparison mode.
  await page.getByTestId('preset').selectOption('paper');
  await expect(page.getByTestId('compare')).toHaveCount(0);
  expect(errors).toEqual([]);
});
