import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { shapePng, shapes } from './fixtures/images';
import { SCREENSHOTS, watchErrors, openDetails } from './helpers';

async function openLab(page: Page) {
  await page.goto('./?experiment=omniglot');
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  await expect(page.getByTestId('support-grid').locator('canvas')).toHaveCount(5, { timeout: 60_000 });
}

/** Opens the confusion view and waits for its first episode (20-way: 20 x 20 cells). */
async function openConfusion(page: Page): Promise<Locator> {
  const view = page.getByTestId('confusion');
  await openDetails(view);
  await expect(view.getByTestId('confusion-cell'))
    .toHaveCount(400, { timeout: 60_000 })
    .catch(async (e: Error) => {
      throw new Error(`${e.message}\nthe view's status said: "${await view.getByTestId('confusion-status').innerText()}"`);
    });
  await expect(view.getByTestId('confusion-status')).not.toContainText('Adapting', { timeout: 60_000 });
  return view;
}

/** Serious and critical axe violations (WCAG 2 A and AA) inside `selector`. */
async function axe(page: Page, selector: string) {
  const result = await new AxeBuilder({ page }).include(selector).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  for (const v of result.violations) console.log(`  axe ${v.impact} ${v.id}: ${v.nodes.length} nodes — ${v.nodes[0]?.target}`);
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.length}`);
}

const counts = (view: Locator) =>
  view.getByTestId('confusion-cell').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
const num = async (l: Locator) => Number(await l.innerText());
/** Ink pixels of a canvas (darker than the paper). */
const ink = (l: Locator) =>
  l.evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 128) n++;
    return n;
  });
const picture = (l: Locator) => l.evaluate((c: HTMLCanvasElement) => c.toDataURL());
const PAIR = /^taken for (.+) \((\d+(?:\.\d)?%|<0\.1%)\), is (.+) \((\d+(?:\.\d)?%|<0\.1%)\)$/;

/**
 * The matrix is 20 x 20 and its counts add up to the queries; the diagonal is the queries right;
 * every misclassified query is listed (as many as the off-diagonal counts), each with its two
 * support drawings, which are the matrix's headers for those classes.
 */
async function checkEpisode(view: Locator, way: number) {
  const c = await counts(view);
  expect(c).toHaveLength(way * way);
  const total = await num(view.getByTestId('confusion-total'));
  expect(total).toBe(way * 5); // 5 queries per class, as in the evaluation
  expect(c.reduce((a, b) => a + b, 0)).toBe(total);
  const diagonal = c.filter((_, i) => i % (way + 1) === 0).reduce((a, b) => a + b, 0);
  expect(await num(view.getByTestId('confusion-correct'))).toBe(diagonal);
  for (let t = 0; t < way; t++) expect(c.slice(t * way, (t + 1) * way).reduce((a, b) => a + b, 0)).toBe(5);
  const wrong = total - diagonal;
  const listed = view.getByTestId('mistake');
  await expect(listed).toHaveCount(Math.min(12, wrong));
  if (wrong > 12) {
    await view.getByTestId('confusion-all').click();
    await expect(listed).toHaveCount(wrong);
  }
  if (!wrong) return wrong;
  const first = listed.first();
  const text = (await first.getAttribute('data-text'))!;
  const [, taken, pTaken, is, pIs] = text.match(PAIR)!;
  expect(taken).not.toBe(is);
  // Taken for the most probable class: its probability is at least its own class's.
  const pct = (s: string) => (s === '<0.1%' ? 0 : Number(s.replace('%', '')));
  expect(pct(pTaken)).toBeGreaterThanOrEqual(pct(pIs));
  await expect(first).toContainText(`taken for ${taken} (${pTaken})`);
  await expect(first).toContainText(`is ${is} (${pIs})`);
  const glyphs = first.locator('canvas');
  await expect(glyphs).toHaveCount(3);
  for (let i = 0; i < 3; i++) expect(await ink(glyphs.nth(i))).toBeGreaterThan(10);
  // The two support drawings are those heading the matrix's columns for those classes.
  const column = (name: string) =>
    view
      .locator('thead th')
      .nth(Number(name.replace('class ', '')))
      .locator('canvas');
  expect(await picture(glyphs.nth(1))).toBe(await picture(column(taken)));
  expect(await picture(glyphs.nth(2))).toBe(await picture(column(is)));
  return wrong;
}

test.describe('inside the mistakes', () => {
  test.setTimeout(300_000);

  test('a 20-way confusion matrix, within one alphabet and mixed, seeded, with each mistake beside its two support drawings', async ({
    page,
  }) => {
    const errors = watchErrors(page);
    await openLab(page);
    const view = await openConfusion(page);
    // Within one held-out alphabet (the default): katakana, many mistakes.
    await expect(view.getByTestId('confusion-summary')).toContainText('20-way 1-shot within Japanese (katakana)');
    await expect(view.getByTestId('confusion-episode-seed')).toHaveText('1');
    const within = await checkEpisode(view, 20);
    expect(within).toBeGreaterThan(0);
    // Header thumbnails are the classes' support drawings, with ink.
    await expect(view.locator('thead th canvas')).toHaveCount(20);
    await expect(view.locator('tbody th canvas')).toHaveCount(20);
    expect(await ink(view.locator('tbody th canvas').first())).toBeGreaterThan(10);
    await view.scrollIntoViewIfNeeded();
    await view.screenshot({ path: `${SCREENSHOTS}/confusion-within.png` });
    expect(await axe(page, '[data-testid=confusion]')).toEqual([]);

    // A confused cell lists just its queries.
    const cell = view.locator('.confusion-cell-button').first();
    const n = Number(await cell.innerText());
    await cell.click();
    await expect(view.getByTestId('mistake')).toHaveCount(n);
    await expect(cell).toHaveAttribute('aria-pressed', 'true');

    // Seeded: a new episode differs, and seed 1 again gives the same matrix.
    const before = await counts(view);
    await view.getByTestId('confusion-new').click();
    await expect(view.getByTestId('confusion-episode-seed')).toHaveText('2', { timeout: 60_000 });
    await checkEpisode(view, 20);
    await view.getByTestId('confusion-seed').fill('1');
    await expect(view.getByTestId('confusion-episode-seed')).toHaveText('1', { timeout: 60_000 });
    expect(await counts(view)).toEqual(before);

    // Mixed alphabets: easier, and still 20 x 20 with counts adding up.
    await view.getByTestId('confusion-mode').selectOption('mixed');
    await expect(view.getByTestId('confusion-summary')).toContainText('20-way 1-shot mixing', { timeout: 60_000 });
    await expect(view.getByTestId('confusion-status')).not.toContainText('Adapting', { timeout: 60_000 });
    const mixed = await checkEpisode(view, 20);
    expect(mixed).toBeLessThan(within);
    // Mean probabilities: each row's cells add up to about 100%.
    await view.getByTestId('confusion-shown').selectOption('probs');
    const row = await view
      .locator('tbody tr')
      .first()
      .getByTestId('confusion-cell')
      .evaluateAll((els) => els.reduce((a, e) => a + Number((e as HTMLElement).innerText || 0), 0));
    expect(row).toBeGreaterThan(90);
    expect(row).toBeLessThanOrEqual(110);
    await view.screenshot({ path: `${SCREENSHOTS}/confusion-mixed-probabilities.png` });
    expect(await axe(page, '[data-testid=confusion]')).toEqual([]);
    expect(errors).toEqual([]);
  });

  test('phone width: the open confusion view fits 390 px with no sideways scrolling', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openLab(page);
    const view = await openConfusion(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const box = (await view.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await view.scrollIntoViewIfNeeded();
    await view.screenshot({ path: `${SCREENSHOTS}/confusion-phone.png` });
  });

  test('own classes: a query taken for another class is shown beside both classes’ examples', async ({ page }) => {
    const errors = watchErrors(page);
    await openLab(page);
    const own = page.getByTestId('own-classes');
    await expect(own.getByTestId('own-class')).toHaveCount(3, { timeout: 60_000 });
    // Class 1's example is replaced by a ring: its two example queries no longer have a class that looks like them.
    await own.getByRole('button', { name: 'Remove example from class 1' }).click();
    await own.getByTestId('class-files-0').setInputFiles({ name: 'ring.png', mimeType: 'image/png', buffer: shapePng(shapes()[0]) });
    await expect(own.getByTestId('own-class').first().locator('canvas')).toHaveCount(1);
    await own.getByTestId('classify').click();
    await expect(own.getByTestId('own-result')).toHaveCount(6, { timeout: 60_000 });
    const last = await own.getByTestId('own-step-slider').getAttribute('max');
    await expect(own.getByTestId('own-step')).toHaveText(last!, { timeout: 20_000 });
    const names = await own
      .getByTestId('own-class')
      .locator('input[aria-label^="Name of class"]')
      .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    // As many pairs as wrong predictions after the last step.
    const predicted = await own.getByTestId('own-prediction').allInnerTexts();
    const wrong = predicted.map((p, i) => ({ p, truth: names[Math.floor(i / 2)] })).filter((x) => x.p !== x.truth);
    expect(wrong.length).toBeGreaterThan(0);
    const pairs = own.getByTestId('own-mistakes').getByTestId('mistake');
    await expect(pairs).toHaveCount(wrong.length);
    const texts = await pairs.evaluateAll((els) => els.map((e) => e.getAttribute('data-text')!));
    for (const t of texts) {
      const [, taken, , is] = t.match(PAIR)!;
      expect(wrong).toContainEqual({ p: taken, truth: is });
    }
    // Each pair: the query, then the first example of the class it was taken for and of its own class.
    const first = pairs.first();
    await expect(first.locator('canvas')).toHaveCount(3);
    const [, taken, , is] = texts[0].match(PAIR)!;
    const example = (name: string) => own.getByTestId('own-class').nth(names.indexOf(name)).locator('canvas').first();
    expect(await picture(first.locator('canvas').nth(1))).toBe(await picture(example(taken)));
    expect(await picture(first.locator('canvas').nth(2))).toBe(await picture(example(is)));
    await own.getByTestId('own-mistakes').scrollIntoViewIfNeeded();
    await own.getByTestId('own-mistakes').screenshot({ path: `${SCREENSHOTS}/own-mistakes.png` });
    expect(await axe(page, '[data-testid=own-mistakes]')).toEqual([]);
    expect(errors).toEqual([]);
  });
});
