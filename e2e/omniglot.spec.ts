import { expect, test, type Page } from '@playwright/test';
import { SCREENSHOTS, watchErrors } from './helpers';

/** How many pixels of a canvas are ink (darker than the paper). */
async function inkOf(page: Page, selector: string, index: number): Promise<number> {
  return page
    .locator(selector)
    .nth(index)
    .evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] < 128) n++;
      return n;
    });
}

async function openLab(page: Page) {
  await page.goto('./?experiment=omniglot');
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  await expect(page.getByTestId('support-grid').locator('canvas')).toHaveCount(5, { timeout: 60_000 });
}

test.describe('Omniglot lab', () => {
  test.setTimeout(300_000);

  test('shows an episode with images and predictions after adaptation, and a new episode changes the images', async ({ page }) => {
    const errors = watchErrors(page);
    await openLab(page);
    // Support and query images are real drawings: each has ink.
    for (let i = 0; i < 5; i++) expect(await inkOf(page, '[data-testid=support-grid] canvas', i)).toBeGreaterThan(10);
    const queries = page.getByTestId('query');
    await expect(queries).toHaveCount(10);
    expect(await inkOf(page, '[data-testid=query-grid] canvas', 0)).toBeGreaterThan(10);
    // The meta-trained model: chance before adapting, well above after the inner steps.
    await expect(page.getByTestId('step-accuracy-0')).toContainText('20%');
    const steps = Number(await page.locator('#episode-step').getAttribute('max'));
    expect(steps).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId('query-accuracy')).toHaveText(/%$/);
    const after = Number((await page.getByTestId('query-accuracy').innerText()).replace('%', ''));
    expect(after).toBeGreaterThanOrEqual(60);
    await expect(queries.first()).toContainText(/class \d+ +\d+%/);
    expect(await page.locator('[data-testid=query][data-correct=true]').count()).toBeGreaterThan(5);
    // The shipped run's curves, with its settings changes marked.
    await expect(page.getByTestId('omniglot-accuracy-curve').locator('path[stroke="#0072b2"]').first()).toHaveAttribute('d', /M.*L/);
    await expect(page.getByTestId('omniglot-accuracy-curve').getByTestId('settings-event').first()).toContainText('way 20');
    await page.screenshot({ path: `${SCREENSHOTS}/omniglot-episode.png`, fullPage: true });
    // Step 0: the zero head has no preference, every query shows so.
    await page.getByTestId('step-accuracy-0').click();
    await expect(page.getByTestId('episode-step')).toHaveText('0');
    await expect(queries.first()).toContainText('no preference');

    const before = await page
      .locator('[data-testid=support-grid] canvas')
      .first()
      .evaluate((c: HTMLCanvasElement) => c.toDataURL());
    await page.getByTestId('new-episode').click();
    await expect
      .poll(
        () =>
          page
            .locator('[data-testid=support-grid] canvas')
            .first()
            .evaluate((c: HTMLCanvasElement) => c.toDataURL()),
        { timeout: 30_000 },
      )
      .not.toBe(before);

    // 20-way from the same network; bad input is refused with a message.
    await page.getByTestId('episode-way').fill('25');
    await page.getByTestId('new-episode').click();
    await expect(page.getByTestId('episode-error')).toContainText('from 2 to 20');
    await page.getByTestId('episode-way').fill('20');
    await page.getByTestId('new-episode').click();
    await expect(page.getByTestId('support-grid').locator('canvas')).toHaveCount(20, { timeout: 60_000 });
    await page.screenshot({ path: `${SCREENSHOTS}/omniglot-20-way.png`, fullPage: true });
    expect(errors).toEqual([]);
  });

  test('the evaluation table fills in with held-out accuracies beside the paper', async ({ page }) => {
    await openLab(page);
    await page.getByTestId('eval-episodes').fill('10');
    await page.getByTestId('evaluate').click();
    const progress = page.getByTestId('evaluation-progress');
    // Five settings of 10 episodes, for the model and (by default) the pretrained baseline on the same episodes.
    await expect(progress).toHaveAttribute('max', '100');
    await expect(progress).toHaveAttribute('value', '100', { timeout: 240_000 });
    for (const id of ['eval-5-way-1-shot', 'eval-5-way-5-shot', 'eval-20-way-1-shot', 'eval-20-way-5-shot', 'eval-20-way-1-shot-within']) {
      await expect(page.getByTestId(id).getByTestId('eval-accuracy')).toHaveText(/\d+\.\d% ± \d+\.\d%/);
    }
    const oneShot = Number((await page.getByTestId('eval-5-way-1-shot').getByTestId('eval-accuracy').innerText()).split('%')[0]);
    expect(oneShot).toBeGreaterThan(60);
    await expect(page.getByTestId('eval-5-way-1-shot')).toContainText('98.7%');
    // Within one alphabet (katakana): harder than mixing alphabets, and the paper reports no such number.
    await expect(page.getByTestId('eval-20-way-1-shot-within')).toContainText('within Japanese (katakana)');
    const within = Number((await page.getByTestId('eval-20-way-1-shot-within').getByTestId('eval-accuracy').innerText()).split('%')[0]);
    const mixed = Number((await page.getByTestId('eval-20-way-1-shot').getByTestId('eval-accuracy').innerText()).split('%')[0]);
    expect(within).toBeGreaterThan(20); // chance is 5%
    expect(within).toBeLessThan(mixed);
    // The pretrained baseline beside it, behind the meta-learned model at 20-way 1-shot.
    const baseline = Number((await page.getByTestId('eval-20-way-1-shot').getByTestId('eval-pretrained').innerText()).split('%')[0]);
    expect(baseline).toBeGreaterThan(20);
    expect(baseline).toBeLessThan(mixed);
    await page.screenshot({ path: `${SCREENSHOTS}/omniglot-evaluation.png`, fullPage: true });
  });

  test('training continues from the shipped model, survives a reload, and resets', async ({ page }) => {
    await openLab(page);
    const start = Number((await page.getByTestId('omniglot-iteration').innerText()).replace(/[^0-9]/g, ''));
    expect(start).toBeGreaterThan(0);
    await page.getByTestId('omniglot-target').fill(String(start + 3));
    await page.getByTestId('omniglot-play').click();
    // From the run's first meta-iteration the status line gives a rate, never "0.00 meta-it/s"
    // (read in the same frame as the first new iteration, which comes in the same message).
    const first = await page.waitForFunction(
      (s) => {
        const text = (id: string) => document.querySelector(`[data-testid=${id}]`)?.textContent ?? '';
        const it = Number(text('omniglot-iteration').replace(/[^0-9]/g, ''));
        return it > s ? { it, rate: text('omniglot-rate') } : null;
      },
      start,
      { polling: 'raf', timeout: 120_000 },
    );
    const { it, rate } = (await first.jsonValue())!;
    expect(it).toBeLessThan(start + 3);
    expect(rate).toMatch(/^\d+\.\d\d meta-it\/s$/);
    expect(parseFloat(rate)).toBeGreaterThan(0);
    await expect(page.getByTestId('omniglot-iteration')).toContainText((start + 3).toLocaleString('en'), { timeout: 120_000 });
    await expect(page.getByTestId('omniglot-play')).toContainText('Train');
    await expect(page.getByTestId('omniglot-source')).toContainText('saved in this browser', { timeout: 30_000 });
    await page.reload();
    await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
    await expect(page.getByTestId('omniglot-iteration')).toContainText((start + 3).toLocaleString('en'));
    await expect(page.getByTestId('omniglot-source')).toContainText('your saved training');
    page.once('dialog', (d) => d.accept());
    await page.getByTestId('omniglot-reset').click();
    await expect(page.getByTestId('omniglot-iteration')).toContainText(start.toLocaleString('en'));
    await expect(page.getByTestId('omniglot-source')).toContainText('meta-trained checkpoint');
  });

  test("Train from scratch with the fields untouched starts with the paper's settings, not the shipped model's fine-tuning rate", async ({
    page,
  }) => {
    await openLab(page);
    // The shipped model's last phase: 20-way episodes, meta-batch 8, Adam at 0.0001.
    await expect(page.locator('#o-metaLr')).toHaveValue('0.0001');
    await expect(page.locator('#o-way')).toHaveValue('20');
    await expect(page.getByTestId('scratch-hint')).toContainText("paper's 5-way 1-shot settings at 32 filters");
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.accept();
    });
    await page.getByTestId('scratch').click();
    await expect(page.getByTestId('omniglot-iteration')).toContainText(/meta-iteration 0$/);
    expect(asked).toContain('meta-batch 32, α 0.4, meta-lr 0.001, 32 filters');
    for (const [field, value] of [
      ['way', '5'],
      ['shot', '1'],
      ['metaBatch', '32'],
      ['alpha', '0.4'],
      ['metaLr', '0.001'],
      ['testSteps', '3'],
      ['filters', '32'],
    ])
      await expect(page.locator(`#o-${field}`)).toHaveValue(value);
    // A changed field is taken as it is.
    await page.locator('#o-metaBatch').fill('4');
    await expect(page.getByTestId('scratch-hint')).toContainText('uses the fields as they are');
    page.once('dialog', (d) => d.accept());
    await page.getByTestId('scratch').click();
    await expect(page.locator('#o-metaBatch')).toHaveValue('4');
    await expect(page.locator('#o-metaLr')).toHaveValue('0.001');
    // A preset fills every field it names, the paper's meta learning rate among them.
    await page.locator('#o-metaLr').fill('0.02');
    await page.getByTestId('omniglot-preset').selectOption('20-way 1-shot');
    for (const [field, value] of [
      ['way', '20'],
      ['metaBatch', '16'],
      ['alpha', '0.1'],
      ['trainSteps', '5'],
      ['metaLr', '0.001'],
    ])
      await expect(page.locator(`#o-${field}`)).toHaveValue(value);
  });
});
