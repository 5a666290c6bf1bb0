import { expect, test } from '@playwright/test';
import { encode } from 'fast-png';
import { SCREENSHOTS, watchErrors } from './helpers';

/** A white PNG with a black ring: a character of one's own. */
function ringPng(size: number, r: number): Buffer {
  const data = new Uint8Array(size * size).fill(255);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - size / 2, y - size / 2);
      if (d < r && d > r * 0.7) data[y * size + x] = 0;
    }
  return Buffer.from(encode({ width: size, height: size, data, channels: 1, depth: 8 }));
}

test.describe('your own classes', () => {
  test.setTimeout(240_000);

  test('classify the example set, add a drawing and a file, refuse bad input; no image leaves the page', async ({ page }) => {
    const errors = watchErrors(page);
    await page.goto('./?experiment=omniglot');
    await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
    // Every request from here on is recorded: none may carry an image.
    const requests: { method: string; url: string; body: number }[] = [];
    page.on('request', (r) => requests.push({ method: r.method(), url: r.url(), body: r.postDataBuffer()?.length ?? 0 }));

    const own = page.getByTestId('own-classes');
    await expect(own.getByTestId('own-class')).toHaveCount(3, { timeout: 60_000 });
    await own.getByTestId('classify').click();
    await expect(own.getByTestId('own-result')).toHaveCount(6, { timeout: 60_000 });
    await expect(own.getByTestId('own-result').first()).toContainText('%');
    // The example queries come two per class, in class order: the adapted model names them.
    const names = await own.getByTestId('own-class').locator('input[aria-label^="Name of class"]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    const predicted = await own.getByTestId('own-prediction').allInnerTexts();
    expect(predicted.filter((p, i) => p === names[Math.floor(i / 2)]).length).toBeGreaterThanOrEqual(5);

    // A drawing with the mouse, added to class 1.
    const pad = own.getByTestId('drawpad');
    const box = (await pad.boundingBox())!;
    await own.getByTestId('drawpad-add').click();
    await expect(own.getByTestId('own-problems').or(own.getByRole('alert'))).toContainText(/drawing is empty/);
    await page.mouse.move(box.x + 40, box.y + 40);
    await page.mouse.down();
    for (const [dx, dy] of [[80, 40], [120, 80], [80, 130], [40, 90]]) await page.mouse.move(box.x + dx, box.y + dy, { steps: 5 });
    await page.mouse.up();
    await own.getByTestId('drawpad-add').click();
    await expect(own.getByTestId('own-class').first().locator('canvas')).toHaveCount(2);

    // A file of one's own as a query, and bad files, each named with its reason.
    await own.getByTestId('query-files').setInputFiles([
      { name: 'ring.png', mimeType: 'image/png', buffer: ringPng(200, 70) },
      { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('this is text') },
      { name: 'blank.png', mimeType: 'image/png', buffer: Buffer.from(encode({ width: 50, height: 50, data: new Uint8Array(2500).fill(255), channels: 1, depth: 8 })) },
      { name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') },
    ]);
    await expect(own.getByTestId('own-queries').locator('canvas')).toHaveCount(7);
    const problems = own.getByTestId('own-problems');
    await expect(problems).toContainText('notes.png: not a readable image');
    await expect(problems).toContainText('blank.png: no ink found');
    await expect(problems).toContainText('logo.svg: SVG images are not accepted');

    // A class without examples is named before anything runs.
    await own.getByTestId('add-class').click();
    await own.getByTestId('classify').click();
    await expect(problems).toContainText('Class 4 (unnamed) has no examples.');
    await own.getByRole('button', { name: 'Remove class 4' }).click();
    await own.getByTestId('classify').click();
    await expect(own.getByTestId('own-result')).toHaveCount(7, { timeout: 60_000 });
    await page.screenshot({ path: `${SCREENSHOTS}/own-classes.png`, fullPage: true });

    expect(requests.filter((r) => r.method !== 'GET' || r.body > 0)).toEqual([]);
    const origin = new URL(page.url()).origin;
    expect(requests.filter((r) => new URL(r.url).origin !== origin)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
