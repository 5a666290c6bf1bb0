import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { SCREENSHOTS, waitForBackend, openDetails } from './helpers';

test.setTimeout(240_000);

/** Runs axe (WCAG 2 A and AA rules) and returns the serious and critical violations, with a count of all. */
async function axe(page: Page, label: string) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  console.log(
    `axe ${label}: ${result.violations.length} violations (${bad.length} serious/critical), ${result.passes.length} rules passed`,
  );
  for (const v of result.violations) console.log(`  ${v.impact} ${v.id}: ${v.nodes.length} nodes — ${v.nodes[0]?.target}`);
  return bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`);
}

test('axe finds no serious violations on the sinusoid lab, with the tour and comparison open', async ({ page }) => {
  await page.goto('./?autoplay=0');
  await waitForBackend(page);
  await expect(page.getByTestId('adapt-learner-step-10')).toHaveAttribute('d', /M/);
  expect(await axe(page, 'sinusoid')).toEqual([]);
  await page.getByTestId('compare-maml2').check();
  await page.getByTestId('compare-maml1').check();
  await expect(page.getByTestId('compare')).toBeVisible();
  await page.getByTestId('tour-start').click();
  await page.getByTestId('tour-next').click();
  await page.getByTestId('tour-next').click();
  await expect(page.getByTestId('formula')).toBeVisible();
  expect(await axe(page, 'sinusoid with tour and comparison')).toEqual([]);
  // Plots carry text alternatives with their key numbers.
  await expect(page.getByTestId('training-curves').getByRole('img')).toHaveAttribute('aria-label', /.+/);
  await expect(page.getByTestId('adapt-learner').getByRole('group').first()).toHaveAttribute('aria-label', /support MSE \d/);
});

test('axe finds no serious violations on the Omniglot lab', async ({ page }) => {
  await page.goto('./?experiment=omniglot');
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  await expect(page.getByTestId('support-grid').locator('canvas')).toHaveCount(5, { timeout: 60_000 });
  expect(await axe(page, 'omniglot')).toEqual([]);
  // The own-characters panel with results, and batch mode open.
  const own = page.getByTestId('own-classes');
  await expect(own.getByTestId('own-class')).toHaveCount(3, { timeout: 60_000 });
  await own.getByTestId('classify').click();
  await expect(own.getByTestId('own-result')).toHaveCount(6, { timeout: 60_000 });
  await openDetails(own.getByTestId('batch'));
  expect(await axe(page, 'omniglot with own results and batch mode')).toEqual([]);
  // The tour, a lesson's note and the export line open too.
  await page.getByTestId('omniglot-lesson').selectOption('more-steps');
  await expect(page.getByTestId('omniglot-lesson-note')).toBeVisible();
  await page.getByTestId('omniglot-tour-start').click();
  await expect(page.getByTestId('tour')).toBeVisible();
  await own.getByTestId('export-classifier').click();
  await expect(own.getByTestId('export-classifier-note')).toContainText('Saved');
  expect(await axe(page, 'omniglot with the tour, a lesson and the export')).toEqual([]);
});

test('axe finds no serious violations on the RL lab', async ({ page }) => {
  await page.goto('./?experiment=rl');
  await expect(page.getByTestId('rl-backend')).toContainText(/wasm|js/, { timeout: 120_000 });
  await expect(page.getByTestId('plane-maml').getByTestId('path-after')).toHaveCount(5, { timeout: 120_000 });
  expect(await axe(page, 'rl')).toEqual([]);
  await page.getByTestId('rl-lesson').selectOption('steps');
  await expect(page.getByTestId('rl-lesson-note')).toBeVisible();
  await page.getByTestId('rl-tour-start').click();
  await expect(page.getByTestId('tour')).toBeVisible();
  expect(await axe(page, 'rl with the tour and a lesson')).toEqual([]);
});

test('keyboard: a support point moves with the arrow keys and the model re-adapts', async ({ page }) => {
  await page.goto('./?autoplay=0');
  await waitForBackend(page);
  const point = page.getByTestId('adapt-learner-support').first();
  await expect(point).toHaveAttribute('aria-label', /Support point 1: x -?\d/);
  const before = await page.getByTestId('adapt-learner-step-10').getAttribute('d');
  const cy = await point.getAttribute('cy');
  await point.focus();
  await page.keyboard.press('Shift+ArrowUp');
  await expect(point).not.toHaveAttribute('cy', cy!);
  await expect(page.getByTestId('adapt-learner-step-10')).not.toHaveAttribute('d', before!);
  const n = await page.getByTestId('adapt-learner-support').count();
  await page.getByTestId('adapt-learner-support').first().focus();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('adapt-learner-support')).toHaveCount(n - 1);
});

test('keyboard: every control is reachable and focus is visible', async ({ page }) => {
  await page.goto('./?autoplay=0');
  await waitForBackend(page);
  const seen = new Set<string>();
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const cs = getComputedStyle(el);
      return { id: el.dataset.testid ?? el.id ?? el.tagName, outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 };
    });
    seen.add(f.id);
    expect(f.outline, `focus ring on ${f.id}`).toBe(true);
  }
  for (const id of ['tab-sinusoid', 'preset', 'tour-start', 'copy-link', 'play', 'step', 'export-checkpoint']) expect(seen).toContain(id);
});

test('phone width: the lab fits 390 px with no sideways scrolling; large text for a projector', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('./?autoplay=0');
  await waitForBackend(page);
  await expect(page.getByTestId('adapt-learner-step-10')).toHaveAttribute('d', /M/);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  const plot = await page.getByTestId('adapt-learner').boundingBox();
  expect(plot!.width).toBeGreaterThan(300);
  await page.screenshot({ path: `${SCREENSHOTS}/phone-sinusoid.png`, fullPage: true });
  // A tablet, upright.
  await page.setViewportSize({ width: 820, height: 1180 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(820);
  await page.screenshot({ path: `${SCREENSHOTS}/tablet-sinusoid.png` });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByTestId('large-text').click();
  await expect(page.locator('html')).toHaveClass(/large-text/);
  expect(new URL(page.url()).searchParams.get('large')).toBe('1');
  await page.screenshot({ path: `${SCREENSHOTS}/large-text.png` });
});

test('phone width: the Omniglot and RL labs fit 390 px with their new panels, a lesson and the tour open', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('./?experiment=omniglot');
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  await expect(page.getByTestId('support-grid').locator('canvas')).toHaveCount(5, { timeout: 60_000 });
  await page.getByTestId('omniglot-lesson').selectOption('orders');
  await expect(page.getByTestId('omniglot-lesson-note')).toBeVisible();
  // The lesson scrolls its panel into view a moment later: click the tour once that scroll is done.
  await expect(page.getByTestId('omniglot-compare')).toBeInViewport();
  await page.waitForTimeout(300);
  await page.getByTestId('omniglot-tour-start').click();
  await expect(page.getByTestId('tour')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${SCREENSHOTS}/phone-omniglot.png`, fullPage: true });
  await page.keyboard.press('Escape');
  await page.getByTestId('tab-rl').click();
  await expect(page.getByTestId('plane-maml').getByTestId('path-after')).toHaveCount(5, { timeout: 120_000 });
  await page.getByTestId('rl-lesson').selectOption('steps');
  await expect(page.getByTestId('rl-lesson-note')).toBeVisible();
  await page.getByTestId('rl-tour-start').click();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${SCREENSHOTS}/phone-rl.png`, fullPage: true });
});
