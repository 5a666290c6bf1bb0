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
