import { expect, test } from '@playwright/test';
import { watchErrors, waitForBackend } from './helpers';

test.setTimeout(180_000);

test(
  '"Fast demo" learns visibly within a minute; "too-large inner learning rate" diverges with a message',
  { tag: '@alone' },
  async ({ page }) => {
    const errors = watchErrors(page);
    await page.goto('./?autoplay=0');
    await waitForBackend(page);
    await page.getByTestId('preset').selectOption('fast-demo');
    const t0 = Date.now();
    await expect(page.getByTestId('preset-note')).toContainText(/Fast demo/);
    await expect(page.getByTestId('play')).toHaveText(/Pause/);
    // Visible learning: the meta-learner's adapted error under 1 and under half the baseline's.
    const value = async (k: string) => Number(await page.getByTestId(`curve-value-${k}`).getAttribute('data-value'));
    await expect
      .poll(
        async () => {
          const post = await value('post');
          return post < 1 && post < 0.5 * (await value('basePost'));
        },
        { timeout: 60_000, intervals: [500] },
      )
      .toBe(true);
    const seconds = (Date.now() - t0) / 1000;
    console.log(`fast demo: visible learning after ${seconds.toFixed(1)} s, iteration ${await page.getByTestId('iteration').innerText()}`);
    expect(seconds).toBeLessThan(60);

    await page.getByTestId('preset').selectOption('large-alpha');
    await expect(page.getByLabel('Inner learning rate α')).toHaveValue('3');
    await expect(page.getByTestId('alert')).toContainText(/diverged at meta-iteration \d+/, { timeout: 30_000 });
    await expect(page.getByTestId('play')).toHaveText(/Play/);
    // The diverged run's NaN never reaches a plot: no path with NaN, no console error about one.
    const paths = await page.locator('svg path').evaluateAll((ps) => ps.map((p) => p.getAttribute('d') ?? ''));
    expect(paths.filter((d) => /NaN|Infinity/.test(d))).toEqual([]);
    expect(errors).toEqual([]);
  },
);
