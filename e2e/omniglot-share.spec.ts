import { expect, test, type Page } from '@playwright/test';
import { watchErrors } from './helpers';

/** The support images of the episode shown, as the pixels their canvases hold. */
const supportPixels = (page: Page) =>
  page
    .getByTestId('support-grid')
    .locator('canvas')
    .evaluateAll((cs) => cs.map((c) => (c as HTMLCanvasElement).toDataURL()));

test.describe('Omniglot lab in the URL', () => {
  test.setTimeout(240_000);

  test('the episode and changed settings live in the URL; the link opens the same episode with the same settings', async ({
    page,
    context,
  }) => {
    const errors = watchErrors(page);
    await page.goto('./?experiment=omniglot');
    await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
    await expect(page.getByTestId('support-grid').locator('canvas')).toHaveCount(5, { timeout: 60_000 });
    await page.getByTestId('episode-way').fill('3');
    await page.getByTestId('episode-shot').fill('2');
    await page.getByTestId('new-episode').click();
    await page.getByTestId('new-episode').click();
    await expect(page.getByTestId('support-grid').locator('canvas')).toHaveCount(6);
    await page.locator('#o-alpha').fill('0.3');
    await page.getByTestId('apply-settings').click();
    await expect(page.locator('#o-alpha')).toHaveValue('0.3');
    await expect.poll(() => new URL(page.url()).searchParams.get('o.train.alpha')).toBe('0.3');
    // The change is marked on the training curves at the iteration it took effect.
    await expect(page.getByTestId('omniglot-accuracy-curve').getByTestId('settings-event').last()).toContainText('α 0.3');
    const url = new URL(page.url());
    expect(url.searchParams.get('o.way')).toBe('3');
    expect(url.searchParams.get('o.shot')).toBe('2');
    expect(url.searchParams.get('o.episode')).toBe('2');
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByTestId('omniglot-copy-link').click();
    await expect(page.getByTestId('omniglot-link-note')).toContainText('Link copied');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(page.url());
    const pixels = await supportPixels(page);

    const fresh = await context.newPage();
    await fresh.goto(copied);
    await expect(fresh.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
    await expect(fresh.getByTestId('episode-way')).toHaveValue('3');
    await expect(fresh.getByTestId('episode-shot')).toHaveValue('2');
    await expect(fresh.getByTestId('support-grid').locator('canvas')).toHaveCount(6, { timeout: 60_000 });
    expect(await supportPixels(fresh)).toEqual(pixels);
    await expect(fresh.locator('#o-alpha')).toHaveValue('0.3');
    await expect(fresh.getByTestId('omniglot-link-note')).toContainText('Settings from the link applied: α 0.3');

    // Hide flags and embed mode: a reduced view for a lesson page.
    await fresh.goto('./?experiment=omniglot&embed=1&o.hide=settings,evaluation,training');
    await expect(fresh.getByTestId('support-grid').locator('canvas')).toHaveCount(5, { timeout: 120_000 });
    await expect(fresh.getByTestId('own-classes')).toBeVisible();
    await expect(fresh.locator('section[aria-label="Meta-training settings"]')).toHaveCount(0);
    await expect(fresh.locator('section[aria-label="Meta-test evaluation"]')).toHaveCount(0);
    await expect(fresh.getByTestId('omniglot-play')).toHaveCount(0);
    await expect(fresh.locator('nav.tabs')).toHaveCount(0);
    await expect(fresh.locator('h1')).toHaveCount(0);

    // Single settings too.
    await fresh.goto('./?experiment=omniglot&o.hide=alpha,preset');
    await expect(fresh.locator('#o-metaLr')).toBeVisible({ timeout: 120_000 });
    await expect(fresh.locator('#o-alpha')).toHaveCount(0);
    await expect(fresh.locator('#o-preset')).toHaveCount(0);

    // A bad value in a link is named and ignored.
    await fresh.goto('./?experiment=omniglot&o.way=99');
    await expect(fresh.getByTestId('omniglot-link-note')).toContainText('o.way=99: must be from 2 to 20; ignored');
    await expect(fresh.getByTestId('support-grid').locator('canvas')).toHaveCount(5, { timeout: 120_000 });
    expect(errors).toEqual([]);
  });
});
