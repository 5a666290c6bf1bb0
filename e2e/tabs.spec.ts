import { expect, test, type Page } from '@playwright/test';
import { iteration, pathOf, waitForBackend, watchErrors } from './helpers';

test.setTimeout(300_000);

const away = async (page: Page, from: string, to: string) => {
  await page.getByTestId(`tab-${to}`).click();
  await expect(page.locator(`[data-lab="${from}"]`)).toBeHidden();
  await page.waitForTimeout(1500);
  await page.getByTestId(`tab-${from}`).click();
  await expect(page.locator(`[data-lab="${from}"]`)).toBeVisible();
};

test('switching tabs keeps each lab as it was: the sinusoid lab pauses and keeps its iteration and predictions', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./');
  await waitForBackend(page);
  await expect.poll(() => iteration(page), { timeout: 60_000 }).toBeGreaterThan(30);
  // Still training: another tab pauses it, and coming back shows the same run, not a new one.
  const running = await iteration(page);
  await away(page, 'sinusoid', 'rl');
  await expect(page.getByTestId('play')).toHaveText(/Play/);
  const back = await iteration(page);
  expect(back).toBeGreaterThanOrEqual(running);
  const curve = await pathOf(page, 'adapt-learner-step-10');
  // Paused: nothing changes while another lab is open, and the predictions are the same.
  await away(page, 'sinusoid', 'omniglot');
  expect(await iteration(page)).toBe(back);
  expect(await pathOf(page, 'adapt-learner-step-10')).toBe(curve);
  // And it trains on from there.
  await page.getByTestId('play').click();
  await expect.poll(() => iteration(page), { timeout: 60_000 }).toBeGreaterThan(back + 5);
  expect(errors).toEqual([]);
});

test('the RL lab keeps its continued training across a tab switch', async ({ page }) => {
  await page.goto('./?experiment=rl');
  await expect(page.getByTestId('rl-backend')).toContainText(/wasm|js/, { timeout: 120_000 });
  await expect(page.getByTestId('plane-maml').getByTestId('path-after')).toHaveCount(5, { timeout: 120_000 });
  await expect(page.getByTestId('rl-iteration')).toContainText('(shipped)');
  await page.getByTestId('rl-train').click();
  await expect(page.getByTestId('rl-iteration')).toContainText('continued here', { timeout: 120_000 });
  await away(page, 'rl', 'sinusoid');
  await expect(page.getByTestId('rl-train')).toHaveText(/Train/);
  const text = await page.getByTestId('rl-iteration').innerText();
  expect(text).toContain('continued here');
  const bars = await page.getByTestId('return-bars').innerText();
  await away(page, 'rl', 'omniglot');
  expect(await page.getByTestId('rl-iteration').innerText()).toBe(text);
  expect(await page.getByTestId('return-bars').innerText()).toBe(bars);
});

test('the Omniglot lab keeps its model and episode across a tab switch', async ({ page }) => {
  await page.goto('./?experiment=omniglot');
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  await expect(page.getByTestId('support-grid').locator('canvas')).toHaveCount(5, { timeout: 60_000 });
  const start = Number((await page.getByTestId('omniglot-iteration').innerText()).replace(/[^0-9]/g, ''));
  await page.getByTestId('omniglot-target').fill(String(start + 1));
  await page.getByTestId('omniglot-play').click();
  await expect(page.getByTestId('omniglot-iteration')).toContainText((start + 1).toLocaleString('en'), { timeout: 120_000 });
  await expect(page.getByTestId('omniglot-play')).toContainText('Train');
  const accuracy = await page.getByTestId('query-accuracy').innerText();
  await away(page, 'omniglot', 'sinusoid');
  await expect(page.getByTestId('omniglot-iteration')).toContainText((start + 1).toLocaleString('en'));
  expect(await page.getByTestId('query-accuracy').innerText()).toBe(accuracy);
  await expect(page.getByTestId('support-grid').locator('canvas')).toHaveCount(5);
});
