import { expect, test } from '@playwright/test';
import { iteration, waitForBackend, watchErrors } from './helpers';

/** The exact first training numbers: every curve's latest value, at full precision. */
async function firstNumbers(page: import('@playwright/test').Page, steps: number) {
  for (let i = 0; i < steps; i++) {
    await page.getByTestId('step').click();
    await expect.poll(() => iteration(page)).toBe(i + 1);
  }
  await expect(page.getByTestId('curve-value-post')).toBeVisible();
  const read = (k: string) => page.getByTestId(`curve-value-${k}`).getAttribute('data-value');
  return { pre: await read('pre'), post: await read('post'), basePre: await read('basePre'), basePost: await read('basePost') };
}

test('a copied link reproduces the controls, task, panels and the first training numbers', async ({ page, context }) => {
  const errors = watchErrors(page);
  await page.goto('./?autoplay=0&engine=fused');
  await waitForBackend(page);

  const set = async (label: string | RegExp, value: string) => {
    const f = page.getByLabel(label, { exact: true });
    await f.fill(value);
    await f.press('Enter');
  };
  await set('Seed', '7');
  await set('Inner learning rate α', '0.02');
  await set('K shots', '5');
  await set('Meta-batch size', '8');
  await page.getByLabel('Algorithm').selectOption('maml1');
  await page.getByTestId('new-task').click();
  await page.getByText('Panels', { exact: true }).click();
  await page.getByTestId('show-trajectory').uncheck();
  await page.keyboard.press('Escape'); // closes the menu
  await expect(page.getByTestId('show-trajectory')).toBeHidden();
  await expect(page.getByTestId('trajectory')).toHaveCount(0);
  await expect(page.getByTestId('adapt-learner-support')).toHaveCount(5);
  const truth = await page.getByTestId('adapt-learner-truth').getAttribute('d');
  const numbers = await firstNumbers(page, 3);
  expect(Number(numbers.post)).toBeGreaterThan(0);

  await page.getByTestId('copy-link').click();
  const link = await page.getByTestId('link').inputValue();
  const q = new URL(link).searchParams;
  expect(Object.fromEntries(q)).toMatchObject({
    seed: '7',
    alpha: '0.02',
    shots: '5',
    metaBatch: '8',
    algorithm: 'maml1',
    task: '1',
    hide: 'trajectory',
    autoplay: '0',
    engine: 'fused',
  });
  // The address bar carries the same state.
  expect(new URL(page.url()).searchParams.get('seed')).toBe('7');

  const fresh = await context.newPage();
  await fresh.goto(link);
  await waitForBackend(fresh);
  await expect(fresh.getByLabel('Seed', { exact: true })).toHaveValue('7');
  await expect(fresh.getByLabel('Inner learning rate α')).toHaveValue('0.02');
  await expect(fresh.getByLabel('K shots')).toHaveValue('5');
  await expect(fresh.getByLabel('Algorithm')).toHaveValue('maml1');
  await expect(fresh.getByTestId('trajectory')).toHaveCount(0);
  await expect(fresh.getByTestId('adapt-learner-truth')).toHaveAttribute('d', truth!);
  await expect(fresh.getByTestId('adapt-learner-support')).toHaveCount(5);
  expect(await firstNumbers(fresh, 3)).toEqual(numbers);
  expect(errors).toEqual([]);
});

test('embed mode shows a reduced view without the chrome; hidden controls and panels stay hidden', async ({ page }) => {
  await page.goto('./?autoplay=0&embed=1&hide=trajectory,distance,inspector,status,seed,hidden');
  await expect(page.getByTestId('play')).toBeEnabled({ timeout: 120_000 });
  await expect(page.getByRole('heading', { name: /MAML Lab/ })).toHaveCount(0);
  await expect(page.getByRole('tablist')).toHaveCount(0);
  await expect(page.getByTestId('tour-start')).toHaveCount(0);
  for (const id of ['trajectory', 'step-inspector', 'status']) await expect(page.getByTestId(id)).toHaveCount(0);
  await expect(page.getByLabel('Seed', { exact: true })).toHaveCount(0);
  await expect(page.getByLabel('Hidden layers')).toHaveCount(0);
  await expect(page.getByLabel('Inner learning rate α')).toBeVisible();
  await expect(page.getByTestId('adapt-learner')).toBeVisible();
  await expect(page.getByTestId('training-curves')).toBeVisible();
  // A way out to the full lab, with the same state and without embed.
  const full = new URL((await page.getByTestId('open-full').getAttribute('href'))!, page.url());
  expect(full.searchParams.get('embed')).toBeNull();
  expect(full.searchParams.get('hide')).toBe('trajectory,distance,inspector,status,seed,hidden');
});

test('a bad value in the link is named and not used', async ({ page }) => {
  await page.goto('./?autoplay=0&alpha=abc&compare=maml2');
  await expect(page.getByTestId('url-problems')).toContainText(/not a number.*compare 2 to 4/);
  await expect(page.getByLabel('Inner learning rate α')).toHaveValue('0.01');
});
