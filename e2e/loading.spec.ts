import { expect, test } from '@playwright/test';

/**
 * Waiting the user can see, and failures they can get past: the Omniglot data pack loads with a
 * progress bar and its size; a failed load says what failed and offers Retry, which works.
 */
test.setTimeout(240_000);

test('the Omniglot data pack loads with a progress bar and its size', async ({ page, context }) => {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  // About 1.5 MB/s: the 3.7 MB pack takes a few seconds.
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: 1.5e6, uploadThroughput: 1e6 });
  await page.goto('./?experiment=omniglot');
  const bar = page.getByTestId('omniglot-loading');
  await expect(bar).toBeVisible({ timeout: 60_000 });
  await expect(bar).toContainText(/the Omniglot drawings: \d+\.\d of 3\.\d MB/);
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  await expect(bar).toHaveCount(0);
});

test('a failed data load names what failed, and Retry loads the lab', async ({ page }) => {
  let fail = true;
  await page.route('**/data/omniglot.bin', (route) => (fail ? route.fulfill({ status: 503, body: 'busy' }) : route.continue()));
  await page.goto('./?experiment=omniglot');
  const failed = page.getByTestId('omniglot-failed');
  await expect(failed).toContainText(/The Omniglot data could not be loaded \(.*data\/omniglot\.bin: HTTP 503\)/, { timeout: 60_000 });
  fail = false;
  await page.getByTestId('omniglot-retry').click();
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  await expect(failed).toHaveCount(0);
});
