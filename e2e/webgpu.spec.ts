import { expect, test } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config';
import { SCREENSHOTS, iteration, waitForBackend, watchErrors } from './helpers';

test.setTimeout(300_000);

test.use({ launchOptions: { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] } });

test('with WebGPU enabled the same page trains on webgpu', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?backend=webgpu');
  expect(await waitForBackend(page)).toBe('webgpu');
  await expect(page.getByTestId('backend-reason')).toContainText(/requested/);
  const it0 = await iteration(page);
  // SwiftShader's WebGPU is slow (well under one meta-iteration per second here): the counter must rise.
  await expect.poll(() => iteration(page), { timeout: 180_000 }).toBeGreaterThan(it0 + 1);
  await expect(page.getByTestId('adapt-learner-step-10')).toHaveAttribute('d', /M/);
  await page.screenshot({ path: `${SCREENSHOTS}/webgpu.png`, fullPage: true });
  expect(errors).toEqual([]);
});

test('in automatic mode the WebGPU adapter is probed and measured', async ({ page }) => {
  await page.goto('./');
  await waitForBackend(page);
  await page.getByText(/why /).click();
  await expect(page.getByTestId('status')).toContainText(/webgpu: available.*adapter.*calibration [0-9.]+ meta-it\/s/);
});

test('Omniglot meta-trains on WebGPU with the batched tensor kernel; views stay on wasm', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?experiment=omniglot&backend=webgpu');
  await expect(page.getByTestId('omniglot-backend')).toHaveText('webgpu', { timeout: 120_000 });
  await expect(page.getByTestId('omniglot-status')).toContainText('batched tensor kernel on webgpu');
  // A small network and meta-batch: SwiftShader is a slow GPU.
  await page.locator('#o-filters').fill('8');
  await page.locator('#o-metaBatch').fill('2');
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('scratch').click();
  await expect(page.getByTestId('omniglot-iteration')).toContainText(/meta-iteration 0$/);
  await page.getByTestId('omniglot-target').fill('2');
  await page.getByTestId('omniglot-play').click();
  await expect(page.getByTestId('omniglot-iteration')).toContainText(/meta-iteration 2$/, { timeout: 240_000 });
  await expect(page.getByTestId('omniglot-accuracy-curve').locator('path[stroke="#0072b2"]').first()).toHaveAttribute('d', /M.*L/);
  await expect(page.getByTestId('support-grid').locator('canvas')).toHaveCount(5);
  await page.screenshot({ path: `${SCREENSHOTS}/omniglot-webgpu.png`, fullPage: true });
  expect(errors).toEqual([]);
});

test('Omniglot in automatic mode skips the software WebGPU adapter and says why', async ({ page }) => {
  await page.goto('./?experiment=omniglot');
  await expect(page.getByTestId('omniglot-backend')).toHaveText('wasm', { timeout: 120_000 });
  await page.getByTestId('omniglot-status').getByText(/why /).click();
  await expect(page.getByTestId('omniglot-reason')).toContainText(/webgpu: software renderer/);
});
