import { expect, test, type Page } from '@playwright/test';
import { iteration, waitForBackend } from './helpers';

test.setTimeout(300_000);

const labWorker = (page: Page, name: string) => {
  const w = page.workers().find((x) => x.url().includes(name));
  expect(w, `a ${name} worker`).toBeDefined();
  return w!;
};

test('a sinusoid worker that throws is restarted from the last saved state, with a message', async ({ page }) => {
  await page.goto('./?autoplay=0');
  await waitForBackend(page);
  await page.getByTestId('play').click();
  await expect.poll(() => iteration(page), { timeout: 60_000 }).toBeGreaterThan(30);
  await page.getByTestId('play').click(); // pause: saved
  await expect(page.getByTestId('play')).toHaveText(/Play/);
  const it = await iteration(page);
  await page.waitForTimeout(500);
  // An uncaught error outside any message handler: the worker is gone as far as the lab knows.
  await labWorker(page, 'maml.worker').evaluate(() => {
    setTimeout(() => {
      throw new Error('killed by the test');
    });
  });
  await expect(page.getByTestId('restarted')).toContainText('The training worker failed. The worker stopped', { timeout: 30_000 });
  await expect(page.getByTestId('restarted')).toContainText('killed by the test');
  await waitForBackend(page);
  await expect(page.getByTestId('source')).toContainText('restored from this browser', { timeout: 60_000 });
  await expect.poll(() => iteration(page)).toBe(it);
  // And it trains on.
  await page.getByTestId('play').click();
  await expect.poll(() => iteration(page), { timeout: 60_000 }).toBeGreaterThan(it);
});

test('an RL worker that stops answering (terminated) is restarted with its continued training', async ({ page }) => {
  await page.goto('./?experiment=rl');
  await expect(page.getByTestId('rl-iteration')).toContainText('(shipped)', { timeout: 120_000 });
  await page.getByTestId('rl-train').click();
  await expect(page.getByTestId('rl-iteration')).toContainText('continued here', { timeout: 120_000 });
  await page.getByTestId('rl-train').click();
  await expect(page.getByTestId('rl-train')).toHaveText(/Train/);
  const it = (await page.getByTestId('rl-iteration').innerText()).match(/(\d+) meta-iterations/)![1];
  // The worker closes itself: no error event, no message, only silence.
  await labWorker(page, 'rl.worker').evaluate(() => self.close());
  await expect(page.getByRole('alert')).toContainText(/The RL worker failed\. The worker stopped \(no answer for \d+ s\)/, {
    timeout: 90_000,
  });
  await expect(page.getByTestId('rl-iteration')).toContainText('restored from this browser', { timeout: 120_000 });
  await expect(page.getByTestId('rl-iteration')).toContainText(`${it} meta-iterations`);
});
