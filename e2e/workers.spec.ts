import { expect, test, type Download, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { watchErrors, omniglotFromScratch } from './helpers';

/**
 * Omniglot meta-training split over gradient workers (?workers=N): the status line says how
 * many threads, and from the same reset the weights after a few meta-iterations are the same
 * bytes on one thread and on three (the task gradients are added in task order).
 */
test.setTimeout(300_000);

/** From a fresh model with 8 filters and meta-batch 5, three meta-iterations; the exported weights. */
async function trainThree(page: Page, workers: number): Promise<Buffer> {
  await page.goto(`./?experiment=omniglot&workers=${workers}`);
  await expect(page.getByTestId('omniglot-backend')).toHaveText('wasm', { timeout: 120_000 });
  await expect(page.getByTestId('omniglot-workers')).toHaveText(`${workers} ${workers === 1 ? 'thread' : 'threads'}`);
  // The conv kernel's matrix products and its batch norm and im2col passes run on the WebAssembly SIMD modules in the page and in the gradient workers.
  await expect(page.getByTestId('omniglot-engine')).toHaveText(
    'fused conv kernel, matrix products on WebAssembly SIMD with fused multiply-add, batch norm and im2col on WebAssembly SIMD',
  );
  await omniglotFromScratch(page, 8, 5);
  await page.getByTestId('omniglot-target').fill('3');
  await page.getByTestId('omniglot-play').click();
  await expect(page.getByTestId('omniglot-iteration')).toContainText(/meta-iteration 3$/, { timeout: 120_000 });
  await expect(page.getByTestId('omniglot-play')).toContainText('Train');
  const got: Download[] = [];
  page.on('download', (d) => got.push(d));
  await page.getByTestId('omniglot-export').click();
  await expect.poll(() => got.length).toBe(2);
  const weights = got.find((d) => d.suggestedFilename().endsWith('.weights.bin'))!;
  return readFileSync((await weights.path())!);
}

test('meta-training on 3 threads gives the weights of 1 thread, byte for byte, and says so', async ({ browser }) => {
  const one = await browser.newPage();
  const errors = watchErrors(one);
  const single = await trainThree(one, 1);
  const three = await browser.newPage();
  const more = await trainThree(three, 3);
  await three
    .getByTestId('omniglot-status')
    .getByText(/why wasm/)
    .click();
  await expect(three.getByTestId('omniglot-reason')).toContainText('split over 3 threads');
  expect(more.length).toBe(single.length);
  expect(more.equals(single)).toBe(true);
  expect(errors).toEqual([]);
});

test('a bad worker count in the link is named and not used', async ({ page }) => {
  await page.goto('./?experiment=omniglot&workers=0');
  await expect(page.getByTestId('omniglot-backend')).toHaveText('wasm', { timeout: 120_000 });
  await expect(page.getByText('workers=0: must be 1 to 16; ignored')).toBeVisible();
});
