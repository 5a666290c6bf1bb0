import { expect, test } from '@playwright/test';
import { SCREENSHOTS, isGraph, iteration, pathOf, pathVertices, waitForBackend, watchErrors } from './helpers';

test('the sinusoid lab trains live, shows its backend, and adapts to a clicked point', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./');
  await expect(page.getByRole('heading', { name: /MAML Lab/ })).toBeVisible();
  const backend = await waitForBackend(page);
  // The reason for the choice, with the calibration of every candidate, is one click away;
  // the chosen backend is the fastest one calibrated.
  await page.getByText(/why /).click();
  await expect(page.getByTestId('backend-reason')).toContainText(/calibration|requested/);
  const rates = Object.fromEntries(
    (await page.getByTestId('status').locator('details li').allInnerTexts()).flatMap((t) => {
      const m = /^(\w+): available.*calibration ([\d.]+) meta-it\/s/.exec(t);
      return m ? [[m[1], Number(m[2])]] : [];
    }),
  );
  expect(Object.keys(rates)).toContain(backend);
  for (const r of Object.values(rates)) expect(rates[backend]).toBeGreaterThanOrEqual(r);
  // The meta-gradients' engine is named: tfjs on the backend, or the fused kernel on WebAssembly SIMD (Chromium has it).
  await expect(page.getByTestId('engine')).toHaveText(new RegExp(`^(tfjs ${backend}|fused kernel, WebAssembly SIMD)$`));
  await expect(page.getByTestId('engine-reason')).toContainText(/fused kernel \(WebAssembly SIMD/);

  // Training runs on its own: the counter rises.
  const it0 = await iteration(page);
  await expect.poll(() => iteration(page), { timeout: 60_000 }).toBeGreaterThan(it0 + 20);

  // The adapted curve (step 10) and the initialisation (step 0) change as theta is meta-trained.
  const final = 'adapt-learner-step-10';
  await expect(page.getByTestId(final)).toHaveAttribute('d', /M/);
  // The adapted curve is the prediction on the 120-point grid, a function of x.
  const curve = pathVertices(await pathOf(page, final));
  expect(curve).toHaveLength(120);
  expect(isGraph(curve)).toBe(true);
  const before = await pathOf(page, final);
  await expect.poll(() => pathOf(page, final), { timeout: 30_000 }).not.toBe(before);
  await expect(page.getByTestId('curve-post')).toHaveAttribute('d', /M.*L/);
  expect(isGraph(pathVertices(await pathOf(page, 'curve-post')))).toBe(true);
  expect(pathVertices(await pathOf(page, 'adapt-baseline-step-10'))).toHaveLength(120);

  // Pause, then a click on the plot adds a support point and the adapted curve moves.
  await page.getByTestId('play').click();
  await expect(page.getByTestId('play')).toHaveText(/Play/);
  const supports = page.getByTestId('adapt-learner-support');
  const n = await supports.count();
  const paused = await pathOf(page, final);
  const box = (await page.getByTestId('adapt-learner').locator('svg[aria-label]').boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.8, box.y + box.height * 0.12);
  await expect(supports).toHaveCount(n + 1);
  await expect.poll(() => pathOf(page, final)).not.toBe(paused);

  // Single steps advance the counter by one.
  const k = await iteration(page);
  await page.getByTestId('step').click();
  await expect.poll(() => iteration(page)).toBe(k + 1);

  await page.screenshot({ path: `${SCREENSHOTS}/sinusoid.png`, fullPage: true });
  expect(errors).toEqual([]);
});

test('the main thread never trains: no long task over 50 ms while training', { tag: '@alone' }, async ({ page }) => {
  await page.goto('./');
  await waitForBackend(page);
  await expect.poll(() => iteration(page)).toBeGreaterThan(5);
  const longTasks = await page.evaluate(
    () =>
      new Promise<number[]>((resolve) => {
        const seen: number[] = [];
        new PerformanceObserver((list) => list.getEntries().forEach((e) => seen.push(e.duration))).observe({ type: 'longtask' });
        setTimeout(() => resolve(seen), 5000);
      }),
  );
  expect(await iteration(page)).toBeGreaterThan(10);
  expect(longTasks.filter((d) => d > 50)).toEqual([]);
});

test('bad input is refused beside the field; a diverging learning rate pauses with a message', async ({ page }) => {
  await page.goto('./?autoplay=0');
  await waitForBackend(page);
  const alpha = page.getByLabel('Inner learning rate α');
  await alpha.fill('abc');
  await alpha.press('Enter');
  await expect(page.locator('#h-alpha')).toHaveText(/not a number/);
  await alpha.fill('-3');
  await alpha.press('Enter');
  await expect(page.locator('#h-alpha')).toHaveText(/between/);
  const hidden = page.getByLabel('Hidden layers');
  await hidden.fill('100000');
  await hidden.press('Enter');
  await expect(page.locator('#h-hidden')).toHaveText(/1 to 256/);
  await hidden.fill('40, 40');
  await hidden.press('Enter');

  await alpha.fill('10');
  await alpha.press('Enter');
  await expect(page.locator('#h-alpha')).toHaveText(/paper/);
  await page.getByTestId('play').click();
  await expect(page.getByTestId('alert')).toContainText(/diverged/, { timeout: 60_000 });
  await expect(page.getByTestId('play')).toHaveText(/Play/);
  // The plots are still drawn, not blank.
  await expect(page.getByTestId('adapt-learner-truth')).toHaveAttribute('d', /M/);
  await page.screenshot({ path: `${SCREENSHOTS}/diverged.png`, fullPage: true });
  await alpha.fill('0.01');
  await alpha.press('Enter');
  await page.getByTestId('alert').getByRole('button', { name: 'Reset' }).click();
  await expect(page.getByTestId('alert')).toHaveCount(0);
  await expect.poll(() => iteration(page)).toBe(0);
});

test('the meta-trained model loads and adapts to a new task at once', async ({ page }) => {
  await page.goto('./?autoplay=0');
  await waitForBackend(page);
  await page.getByTestId('load-checkpoint').click();
  await expect(page.getByTestId('status')).toContainText(/meta-trained checkpoint/);
  await expect.poll(() => iteration(page)).toBeGreaterThan(1000);
  // After 10 steps on the 10 support points, the meta-trained model fits them far better than the baseline.
  const loss = async (id: string) => Number((await page.getByTestId(id).innerText()).split('→')[1]);
  await expect.poll(() => loss('adapt-learner-loss')).toBeLessThan(0.5);
  expect(await loss('adapt-learner-loss')).toBeLessThan(0.5 * (await loss('adapt-baseline-loss')));
  await page.screenshot({ path: `${SCREENSHOTS}/checkpoint.png`, fullPage: true });
});
