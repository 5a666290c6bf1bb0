import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { SCREENSHOTS, watchErrors, omniglotFromScratch } from './helpers';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config';

test.setTimeout(300_000);
// WebGPU on (SwiftShader here) for the last test; in automatic mode the lab skips a software adapter, so the others run on wasm.
test.use({ launchOptions: { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] } });

/**
 * The last iteration each algorithm's curve shows, all read in one go in the page: the comparison
 * redraws while it runs, and separate reads may straddle a redraw.
 */
const lastIterations = (page: Page, plot: string, algorithms: string[]) =>
  page.evaluate(
    ([p, as]) => as.map((a) => document.querySelector(`[data-testid="${p}-${a}-post"]`)?.getAttribute('data-last-iteration') ?? null),
    [plot, algorithms] as const,
  );
const shownIteration = async (page: Page) => Number((await page.getByTestId('ocompare-iteration').innerText()).replace(/[^0-9]/g, ''));

test('two algorithms meta-train side by side from scratch on the same batches, overlaid, and stop', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?experiment=omniglot');
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  const panel = page.getByTestId('omniglot-compare');
  await panel.scrollIntoViewIfNeeded();
  await expect(panel.getByTestId('ocompare-rate')).toHaveText('not started');
  // At least two algorithms: with one, Start is refused and the panel says why.
  await expect(panel.getByTestId('ocompare-maml2')).toBeChecked();
  await expect(panel.getByTestId('ocompare-maml1')).toBeChecked();
  await panel.getByTestId('ocompare-maml1').uncheck();
  await expect(panel.getByTestId('ocompare-start')).toBeDisabled();
  await expect(panel.getByTestId('ocompare-note')).toContainText('at least two algorithms');
  await panel.getByTestId('ocompare-maml1').check();
  await expect(panel.getByTestId('ocompare-from-scratch')).toBeChecked();
  await expect(panel.getByTestId('ocompare-note')).toContainText('CPU kernels');

  await panel.getByTestId('ocompare-start').click();
  await expect(panel.getByTestId('ocompare-settings')).toContainText('8 filters');
  await expect(panel.getByTestId('ocompare-settings')).toContainText('meta-batch 4');
  await expect(panel.getByTestId('ocompare-settings')).toContainText('CPU kernels');
  await expect(panel.getByTestId('ocompare-stop')).toBeEnabled();
  await expect.poll(() => shownIteration(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(12);
  const rate = await panel.getByTestId('ocompare-rate').innerText();
  console.log(`comparison speed (maml2 + maml1, from scratch): ${rate}`);
  expect(Number(rate.split(' ')[0])).toBeGreaterThan(0);

  // Two curves per plot, one colour each, both at the same iteration; a legend entry for each, none for Reptile.
  for (const plot of ['ocompare-accuracy', 'ocompare-loss']) {
    const curves = ['maml2', 'maml1'].map((a) => panel.getByTestId(`${plot}-${a}-post`));
    for (const c of curves) await expect(c).toHaveAttribute('d', /M.*L/);
    await expect(panel.getByTestId(`${plot}-maml2-pre`)).toHaveAttribute('stroke-dasharray', /\d/);
    const strokes = await Promise.all(curves.map((c) => c.getAttribute('stroke')));
    expect(new Set(strokes).size).toBe(2);
    const at = await lastIterations(page, plot, ['maml2', 'maml1']);
    expect(Number(at[0])).toBeGreaterThan(0);
    expect(at[1]).toBe(at[0]);
    await expect(panel.getByTestId(`${plot}-legend-maml2`)).toContainText('MAML (second order)');
    await expect(panel.getByTestId(`${plot}-legend-maml1`)).toContainText('First-order MAML');
    await expect(panel.getByTestId(`${plot}-legend-reptile`)).toHaveCount(0);
    await expect(panel.getByTestId(`${plot}-final-maml2`)).toHaveText(/\d/);
  }
  await expect(panel.getByTestId('ocompare-accuracy').getByRole('img')).toHaveAttribute('aria-label', /MAML \(second order\) \d+\.\d%/);
  // While it runs, the choices are locked.
  await expect(panel.getByTestId('ocompare-reptile')).toBeDisabled();

  // Some history for the screenshot.
  await expect.poll(() => shownIteration(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(40);
  const axe = await new AxeBuilder({ page })
    .include('[data-testid=omniglot-compare]')
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  for (const v of axe.violations) console.log(`  axe ${v.impact} ${v.id}: ${v.nodes.length} nodes — ${v.nodes[0]?.target}`);
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
  await panel.screenshot({ path: `${SCREENSHOTS}/omniglot-compare.png` });

  await panel.getByTestId('ocompare-stop').click();
  await expect(panel.getByTestId('ocompare-rate')).toHaveText('stopped');
  await expect(panel.getByTestId('ocompare-start')).toBeEnabled();
  const stoppedAt = await shownIteration(page);
  await page.waitForTimeout(1500);
  expect(await shownIteration(page)).toBe(stoppedAt);
  const final = Number(await panel.getByTestId('ocompare-accuracy-maml2-post').getAttribute('data-last-iteration'));
  expect(final).toBe(stoppedAt);
  // The lab's own model did not train meanwhile.
  await expect(page.getByTestId('omniglot-rate')).toHaveText('not training');
  expect(errors).toEqual([]);
});

test('from the current model: its settings (Reptile gets a second inner step), and Train stops the comparison', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('./?experiment=omniglot');
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  const panel = page.getByTestId('omniglot-compare');
  await panel.getByTestId('ocompare-maml2').uncheck();
  await panel.getByTestId('ocompare-reptile').check();
  await panel.getByTestId('ocompare-from-current').check();
  await expect(panel.getByTestId('ocompare-note')).toContainText('64 filters');
  await panel.getByTestId('ocompare-start').click();
  // The shipped model takes one inner step; with a zero head Reptile would learn nothing from it.
  await expect(panel.getByTestId('ocompare-settings')).toContainText(
    'From the current model: 20-way 1-shot, meta-batch 8, 64 filters, 2 inner steps',
  );
  await expect(panel.getByTestId('ocompare-settings')).toContainText('instead of 1');
  await expect.poll(() => shownIteration(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
  const at = await lastIterations(page, 'ocompare-accuracy', ['maml1', 'reptile']);
  expect(at[1]).toBe(at[0]);
  console.log(`comparison speed (maml1 + reptile, from the shipped model): ${await panel.getByTestId('ocompare-rate').innerText()}`);
  const start = Number((await page.getByTestId('omniglot-iteration').innerText()).replace(/[^0-9]/g, ''));
  await page.getByTestId('omniglot-target').fill(String(start + 1));
  await page.getByTestId('omniglot-play').click();
  await expect(panel.getByTestId('ocompare-rate')).toHaveText('stopped');
  await expect(page.getByTestId('omniglot-iteration')).toContainText((start + 1).toLocaleString('en'), { timeout: 120_000 });
  expect(errors).toEqual([]);
});

test.describe('with meta-training on WebGPU (SwiftShader here)', () => {
  test('a comparison started mid-training pauses the GPU training and runs on the CPU kernels', async ({ page }) => {
    const errors = watchErrors(page);
    await page.goto('./?experiment=omniglot&backend=webgpu');
    await expect(page.getByTestId('omniglot-backend')).toHaveText('webgpu', { timeout: 120_000 });
    await omniglotFromScratch(page, 8, 2);
    await page.getByTestId('omniglot-target').fill('1000');
    await page.getByTestId('omniglot-play').click();
    await expect(page.getByTestId('omniglot-iteration')).not.toContainText(/meta-iteration 0$/, { timeout: 120_000 });
    const panel = page.getByTestId('omniglot-compare');
    await panel.getByTestId('ocompare-start').click();
    await expect(page.getByTestId('omniglot-play')).toContainText('Train');
    await expect(panel.getByTestId('ocompare-settings')).toContainText('not webgpu where meta-training runs');
    await expect.poll(() => shownIteration(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(3);
    const trained = await page.getByTestId('omniglot-iteration').innerText();
    await page.waitForTimeout(1000);
    await expect(page.getByTestId('omniglot-iteration')).toHaveText(trained);
    await panel.getByTestId('ocompare-stop').click();
    await expect(panel.getByTestId('ocompare-rate')).toHaveText('stopped');
    expect(errors).toEqual([]);
  });
});
