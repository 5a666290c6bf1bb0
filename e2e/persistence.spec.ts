import { expect, test, type Page } from '@playwright/test';
import { iteration, pathOf, waitForBackend, watchErrors } from './helpers';

test.setTimeout(300_000);

/** The iteration the status line says was restored: "restored from this browser (N iterations, …)". */
async function restoredIteration(page: Page): Promise<number> {
  await expect(page.getByTestId('source')).toContainText('restored from this browser', { timeout: 120_000 });
  const m = (await page.getByTestId('source').innerText()).match(/\((\d+) iterations, saved/);
  expect(m).not.toBeNull();
  return Number(m![1]);
}

test('a reload while training continues from at most 10 s of training before it', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./');
  await waitForBackend(page);
  await expect.poll(() => iteration(page), { timeout: 60_000 }).toBeGreaterThan(20);
  // The iteration over time, while it trains, up to the reload.
  const seen: { t: number; it: number }[] = [];
  const start = Date.now();
  while (Date.now() - start < 16_000) {
    seen.push({ t: Date.now(), it: await iteration(page) });
    await page.waitForTimeout(500);
  }
  const reloadAt = Date.now();
  const last = await iteration(page);
  await page.reload();
  await waitForBackend(page);
  const restored = await restoredIteration(page);
  // What 10 s before the reload had been reached, at least (one extra second for the save itself).
  const floor = Math.max(...seen.filter((s) => s.t <= reloadAt - 11_000).map((s) => s.it));
  expect(restored).toBeGreaterThanOrEqual(floor);
  expect(restored).toBeLessThanOrEqual(last + 50);
  expect(restored).toBeGreaterThan(20);
  // It trains on from there, not from iteration 0.
  await expect.poll(() => iteration(page), { timeout: 60_000 }).toBeGreaterThan(restored);
  expect(errors).toEqual([]);
});

test('paused, reloaded: the same iteration and the same predictions; Reset starts fresh and stays fresh', async ({ page }) => {
  await page.goto('./?autoplay=0&seed=3');
  await waitForBackend(page);
  await page.getByTestId('play').click();
  await expect.poll(() => iteration(page), { timeout: 60_000 }).toBeGreaterThan(40);
  await page.getByTestId('play').click(); // pause: saved
  await expect(page.getByTestId('play')).toHaveText(/Play/);
  const it = await iteration(page);
  await page.waitForTimeout(1000);
  const curve = await pathOf(page, 'adapt-learner-step-10');
  await page.reload();
  await waitForBackend(page);
  expect(await restoredIteration(page)).toBe(it);
  await expect.poll(() => iteration(page)).toBe(it);
  await expect.poll(() => pathOf(page, 'adapt-learner-step-10'), { timeout: 30_000 }).toBe(curve);
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('3');
  // Start fresh: Reset, and a reload keeps it fresh.
  await page.getByTestId('reset').click();
  await expect.poll(() => iteration(page)).toBe(0);
  await page.reload();
  await waitForBackend(page);
  await expect(page.getByTestId('source')).toContainText('random initialisation');
  expect(await iteration(page)).toBe(0);
});

test('a link with settings shows its own run, not the training saved in this browser', async ({ page, context }) => {
  await page.goto('./?seed=4');
  await waitForBackend(page);
  await expect.poll(() => iteration(page), { timeout: 60_000 }).toBeGreaterThan(20);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('play')).toHaveText(/Play/);
  const fresh = await context.newPage();
  await fresh.goto('./?seed=4&autoplay=0');
  await waitForBackend(fresh);
  await expect(fresh.getByTestId('source')).toContainText('random initialisation');
  expect(await iteration(fresh)).toBe(0);
});

test('the RL lab keeps the training continued here across a reload, until "Back to the shipped policy"', async ({ page }) => {
  await page.goto('./?experiment=rl');
  await expect(page.getByTestId('rl-backend')).toContainText(/wasm|js/, { timeout: 120_000 });
  await expect(page.getByTestId('rl-iteration')).toContainText('(shipped)', { timeout: 120_000 });
  await page.getByTestId('rl-train').click();
  await expect(page.getByTestId('rl-iteration')).toContainText('continued here', { timeout: 120_000 });
  await page.getByTestId('rl-train').click(); // pause: saved
  await expect(page.getByTestId('rl-train')).toHaveText(/Train/);
  const it = (await page.getByTestId('rl-iteration').innerText()).match(/(\d+) meta-iterations/)![1];
  await page.reload();
  await expect(page.getByTestId('rl-iteration')).toContainText('restored from this browser', { timeout: 120_000 });
  await expect(page.getByTestId('rl-iteration')).toContainText(`${it} meta-iterations (shipped`);
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('rl-reset').click();
  await expect(page.getByTestId('rl-iteration')).toContainText('(shipped)');
  await page.reload();
  await expect(page.getByTestId('rl-iteration')).toContainText('(shipped)', { timeout: 120_000 });
  await expect(page.getByTestId('rl-iteration')).not.toContainText('restored');
});
