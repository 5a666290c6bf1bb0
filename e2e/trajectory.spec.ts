import { expect, test } from '@playwright/test';
import { SCREENSHOTS, waitForBackend, watchErrors } from './helpers';

test.setTimeout(300_000);

test('the trajectory line grows, task paths and optima appear, and selecting a path selects its task', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./');
  await waitForBackend(page);
  const line = page.getByTestId('trajectory-line');
  await expect(line).toBeVisible();
  const count = async () => Number(await line.getAttribute('data-points'));
  const n0 = await count();
  await expect.poll(count, { timeout: 90_000 }).toBeGreaterThan(n0 + 2);

  // Gray inner-loop paths from the current theta, each with its optimum.
  await expect(page.getByTestId('task-path')).toHaveCount(5);
  await expect(page.getByTestId('task-optimum')).toHaveCount(5);
  await expect(page.getByTestId('mean-distance')).toContainText(/[0-9]/);
  await expect(page.getByTestId('task-distance')).toHaveCount(5);
  await expect(page.getByTestId('distance-learner')).toHaveAttribute('d', /M/);

  // Selecting a task path shows that task in the adaptation panels, outlined in its colour.
  const truthBefore = await page.getByTestId('adapt-learner-truth').getAttribute('d');
  // Inner steps of alpha = 0.01 are short next to theta's path: click the task's optimum (×), part of its path.
  await page.getByTestId('task-path').nth(2).getByTestId('task-optimum').click();
  await expect(page.getByTestId('task-path').nth(2)).toHaveAttribute('data-selected', 'true');
  await expect(page.getByTestId('adapt-pair')).not.toHaveAttribute('data-task-color', '');
  await expect(page.getByTestId('adapt-learner-truth')).not.toHaveAttribute('d', truthBefore!);
  // ... and the selection survives the next trajectory update.
  await expect.poll(count, { timeout: 60_000 }).toBeGreaterThan(n0 + 3);
  await expect(page.getByTestId('task-path').nth(2)).toHaveAttribute('data-selected', 'true');
  // The distance curve fills in while it trains: a refit every 15 s or so here (it showed one
  // point for over a minute when the fits ran on tfjs).
  const distancePoints = async () => ((await page.getByTestId('distance-learner').getAttribute('d'))?.match(/[ML]/g) ?? []).length;
  await expect.poll(distancePoints, { timeout: 120_000 }).toBeGreaterThanOrEqual(3);
  await page.getByTestId('trajectory').screenshot({ path: `${SCREENSHOTS}/trajectory.png` });
  expect(errors).toEqual([]);
});

test('the per-task step inspector shows every inner step from three starting points', async ({ page }) => {
  await page.goto('./?autoplay=0');
  await waitForBackend(page);
  const inspector = page.getByTestId('step-inspector');
  await expect(inspector).toBeVisible();
  // Steps 0..10: eleven rows, with gradient norms for each of the three layers.
  await expect(inspector.locator('tbody tr')).toHaveCount(11);
  await expect(inspector.locator('thead th')).toContainText([
    'step',
    'support MSE',
    'true-function MSE',
    '‖∇ layer 1‖',
    '‖∇ layer 2‖',
    '‖∇ layer 3‖',
    'update size',
  ]);
  for (const start of ['learner', 'baseline', 'random']) await expect(page.getByTestId(`mini-${start}-curve`)).toHaveAttribute('d', /M/);
  const curve = await page.getByTestId('mini-learner-curve').getAttribute('d');
  await page.getByTestId('step-slider').fill('7');
  await expect(page.getByTestId('step-value')).toHaveText('7 / 10');
  await expect(inspector.locator('tr.current td').first()).toHaveText('7');
  await expect(page.getByTestId('mini-learner-curve')).not.toHaveAttribute('d', curve!);
  await page.getByTestId('step-play').click();
  await expect.poll(async () => page.getByTestId('step-value').innerText(), { timeout: 5000 }).not.toBe('7 / 10');
  await inspector.screenshot({ path: `${SCREENSHOTS}/step-inspector.png` });
});
