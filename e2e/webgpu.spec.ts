import { expect, test } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config';
import { SCREENSHOTS, iteration, waitForBackend, watchErrors, omniglotFromScratch } from './helpers';

test.setTimeout(300_000);

test.use({ launchOptions: { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] } });

/** Sends a message to a lab's worker from inside it, as the page would (fault injection). */
const injectIntoWorker = async (page: import('@playwright/test').Page, name: string, message: object) => {
  const w = page.workers().find((x) => x.url().includes(name));
  expect(w, `a ${name} worker`).toBeDefined();
  await w!.evaluate((m) => (self as unknown as { onmessage(e: { data: object }): void }).onmessage({ data: m }), message);
};

// One test for the sinusoid lab on WebGPU (SwiftShader takes about two minutes to its first meta-iterations):
// it trains there, then the device is lost and the lab moves to the CPU from the same meta-iteration.
test('with WebGPU enabled the same page trains on webgpu; a lost device moves it to the CPU at the same meta-iteration', async ({
  page,
}) => {
  test.setTimeout(660_000);
  const errors = watchErrors(page);
  await page.goto('./?backend=webgpu');
  expect(await waitForBackend(page)).toBe('webgpu');
  await expect(page.getByTestId('backend-reason')).toContainText(/requested/);
  const it0 = await iteration(page);
  // SwiftShader's WebGPU is slow: about a minute to the first meta-iteration, then some 12 s each here,
  // and longer with the other test worker's browser beside it. The counter must rise.
  await expect.poll(() => iteration(page), { timeout: 420_000 }).toBeGreaterThan(it0 + 1);
  await expect(page.getByTestId('adapt-learner-step-10')).toHaveAttribute('d', /M/);
  await page.screenshot({ path: `${SCREENSHOTS}/webgpu.png`, fullPage: true });
  expect(errors).toEqual([]);

  await page.getByTestId('play').click();
  await expect(page.getByTestId('play')).toHaveText(/Play/, { timeout: 60_000 });
  const it = await iteration(page);
  // Paused once the last slice is done, and saved.
  await expect(page.getByTestId('saved')).toContainText(`at iteration ${it} `, { timeout: 60_000 });
  await injectIntoWorker(page, 'maml.worker', { type: 'loseDevice' });
  await expect(page.getByTestId('alert')).toContainText(`The GPU was lost`, { timeout: 60_000 });
  await expect(page.getByTestId('alert')).toContainText(`from meta-iteration ${it}.`);
  await expect(page.getByTestId('backend')).toHaveText(/^(wasm|cpu)$/);
  await expect(page.getByTestId('backend-reason')).toContainText('the webgpu device was lost', { useInnerText: false });
  expect(await iteration(page)).toBe(it);
  await expect(page.getByTestId('adapt-learner-step-10')).toHaveAttribute('d', /^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+){100,}$/);
  await page.getByTestId('play').click();
  await expect.poll(() => iteration(page), { timeout: 60_000 }).toBeGreaterThan(it + 20);
});

test('in automatic mode the WebGPU adapter is probed and measured', async ({ page }) => {
  await page.goto('./');
  await waitForBackend(page);
  await page.getByText(/why /).click();
  await expect(page.getByTestId('status')).toContainText(/webgpu: available.*adapter.*calibration [0-9.]+ meta-it\/s/);
});

test("the WGSL engine's meta-gradients match the float64 kernel on this WebGPU device, in 32 dispatches", async ({ page }) => {
  await page.goto('./bench.html?check=wgsl&sinusoid=0&omniglot=0');
  const handle = await page.waitForFunction(() => (window as unknown as { __wgslCheck?: unknown }).__wgslCheck, null, { timeout: 240_000 });
  const result = (await handle.jsonValue()) as
    | { error: string }
    | { cases: { name: string; errors: number[]; dispatches: number; loss: [number, number]; accuracy: [number, number] }[] };
  expect('error' in result ? result.error : '').toBe('');
  if ('error' in result) return;
  expect(result.cases).toHaveLength(3);
  for (const c of result.cases) {
    console.log(`${c.name}: largest relative error ${Math.max(...c.errors).toExponential(2)}, ${c.dispatches} dispatches`);
    expect(c.errors, c.name).toHaveLength(12);
    // float32 on the GPU against float64: about 1e-6 here; a wrong term gives 1e-2 or more.
    for (const e of c.errors) expect(e, c.name).toBeLessThan(1e-4);
    expect(c.dispatches, c.name).toBe(32);
    expect(c.loss[0], c.name).toBeCloseTo(c.loss[1], 4);
    expect(c.accuracy[0], c.name).toBeCloseTo(c.accuracy[1], 6);
  }
});

test('Omniglot meta-trains on WebGPU with the WGSL kernels; views stay on wasm', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?experiment=omniglot&backend=webgpu');
  await expect(page.getByTestId('omniglot-backend')).toHaveText('webgpu', { timeout: 120_000 });
  await expect(page.getByTestId('omniglot-engine')).toHaveText('32 WGSL kernels');
  // A small network and meta-batch: SwiftShader is a slow GPU.
  await omniglotFromScratch(page, 8, 2);
  await page.getByTestId('omniglot-target').fill('2');
  await page.getByTestId('omniglot-play').click();
  await expect(page.getByTestId('omniglot-iteration')).toContainText(/meta-iteration 2$/, { timeout: 240_000 });
  // The dispatches the worker issued for the last meta-iteration, counted as they reach the device.
  await expect(page.getByTestId('omniglot-dispatches')).toHaveText('32 GPU dispatches per meta-iteration');
  console.log(`WebGPU, 8 filters, meta-batch 2: ${await page.getByTestId('omniglot-dispatches').innerText()}`);
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

test('a lost WebGPU device: Omniglot meta-training moves to the wasm kernel and reaches its target', async ({ page }) => {
  await page.goto('./?experiment=omniglot&backend=webgpu');
  await expect(page.getByTestId('omniglot-backend')).toHaveText('webgpu', { timeout: 120_000 });
  await omniglotFromScratch(page, 8, 2);
  await page.getByTestId('omniglot-target').fill('4');
  await page.getByTestId('omniglot-play').click();
  await expect(page.getByTestId('omniglot-iteration')).toContainText(/meta-iteration [1-3]$/, { timeout: 240_000 });
  await injectIntoWorker(page, 'omniglot.worker', { type: 'loseDevice' });
  await expect(page.getByRole('alert')).toContainText('The GPU was lost', { timeout: 120_000 });
  await expect(page.getByTestId('omniglot-backend')).toHaveText('wasm');
  await expect(page.getByTestId('omniglot-iteration')).toContainText(/meta-iteration 4$/, { timeout: 120_000 });
});
