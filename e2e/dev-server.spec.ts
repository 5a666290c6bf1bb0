import { expect, test } from '@playwright/test';
import { iteration, waitForBackend, watchErrors } from './helpers';

/**
 * Runs against Vite's dev server (the `dev` project in playwright.config.ts), the way every
 * contributor works: dependency pre-bundling, unbundled ES-module workers and the wasm files
 * served from node_modules. Each lab starts and says which backend runs.
 */
test.setTimeout(300_000);

test('npm run dev: all three labs start and show their backend', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./');
  expect(await waitForBackend(page)).toMatch(/^(webgpu|webgl|wasm|cpu)$/);
  await expect.poll(() => iteration(page), { timeout: 120_000 }).toBeGreaterThan(10);

  await page.getByTestId('tab-omniglot').click();
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });

  await page.getByTestId('tab-rl').click();
  await expect(page.getByTestId('rl-backend')).toContainText(/wasm|js|cpu/, { timeout: 120_000 });
  await expect(page.getByTestId('plane-maml').getByTestId('path-after')).toHaveCount(5, { timeout: 120_000 });
  expect(errors).toEqual([]);
});
