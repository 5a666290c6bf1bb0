import { expect, test } from '@playwright/test';
import jpeg from 'jpeg-js';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOfficialRun } from './fixtures/officialDrawings';
import { watchErrors } from './helpers';
import { decodeImage } from '../scripts/lib/decodeImage';
import { inkOfRgba, photoLike, type PhotoVariant } from '../src/maml/omniglot/photoLike';
import { createRng } from '../src/maml/random';

/**
 * Characters on paper, photographed: real Omniglot drawings (support, as they are) and
 * photo-like JPEGs of other drawers' drawings of the same characters (queries: uneven light,
 * dark corners, a dark stripe, ruled paper, noise, a tilt, the character small in a 400x300
 * frame) go in through "take a photo". Each is accepted, its thumbnail shows the ink centred at
 * the drawings' size, and the set is classified.
 */
test.setTimeout(240_000);

const VARIANTS: PhotoVariant[] = ['gradient', 'corners', 'stripe', 'lined', 'mixed'];

test('photographed characters are accepted, centred in their thumbnails, and classified', async ({ page }) => {
  const errors = watchErrors(page);
  const run = writeOfficialRun(mkdtempSync(join(tmpdir(), 'photo-')), { alphabet: 'Tagalog', way: 5 });
  const classes = readdirSync(run.support).sort();
  const queries = Object.entries(run.truth).map(([file, truth], k) => {
    const img = decodeImage(file, new Uint8Array(readFileSync(join(run.query, file))));
    const photo = photoLike(inkOfRgba(img.data, img.width, img.height), createRng(`e2e-photo/${k}`), {
      variant: VARIANTS[k % VARIANTS.length],
      width: 400,
      height: 300,
    });
    const bytes = jpeg.encode({ width: photo.width, height: photo.height, data: Buffer.from(photo.data.buffer) }, 85).data;
    return { name: `photo-${k + 1}.jpg`, truth, buffer: Buffer.from(bytes) };
  });

  await page.goto('./?experiment=omniglot');
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  const own = page.getByTestId('own-classes');
  await expect(own.getByTestId('own-class')).toHaveCount(3, { timeout: 60_000 });
  await own.getByTestId('own-clear').click();
  for (const [c, name] of classes.entries()) {
    await own.getByTestId('add-class').click();
    await own.getByLabel(`Name of class ${c + 1}`).fill(name);
    const file = readdirSync(join(run.support, name))[0];
    await own.getByTestId(`class-files-${c}`).setInputFiles(join(run.support, name, file));
    await expect(own.getByTestId('own-class').nth(c).locator('canvas')).toHaveCount(1);
  }
  // One photo at a time, as a phone's camera gives them.
  for (const [k, q] of queries.entries()) {
    await own.getByTestId('query-photo').setInputFiles({ name: q.name, mimeType: 'image/jpeg', buffer: q.buffer });
    await expect(own.getByTestId('own-queries').locator('canvas')).toHaveCount(k + 1);
  }
  await expect(own.getByTestId('own-problems')).toHaveCount(0);

  // Each thumbnail: the ink centred, at the drawings' size (not a bar, not a speck).
  const boxes = await own
    .getByTestId('own-queries')
    .locator('canvas')
    .evaluateAll((cs) =>
      (cs as HTMLCanvasElement[]).map((c) => {
        const d = c.getContext('2d')!.getImageData(0, 0, 28, 28).data;
        let [x0, y0, x1, y1, n, sx, sy] = [28, 28, -1, -1, 0, 0, 0];
        for (let y = 0; y < 28; y++)
          for (let x = 0; x < 28; x++) {
            if (d[4 * (28 * y + x)] > 128) continue; // paper is white, ink dark
            [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
            n++;
            sx += x;
            sy += y;
          }
        return { w: x1 - x0 + 1, h: y1 - y0 + 1, cx: sx / n, cy: sy / n, n };
      }),
    );
  for (const b of boxes) {
    expect(Math.max(b.w, b.h)).toBeGreaterThanOrEqual(14);
    expect(Math.max(b.w, b.h)).toBeLessThanOrEqual(26);
    expect(Math.abs(b.cx - 13.5)).toBeLessThan(4);
    expect(Math.abs(b.cy - 13.5)).toBeLessThan(4);
  }

  await own.getByTestId('classify').click();
  await expect(own.getByTestId('own-result')).toHaveCount(5, { timeout: 60_000 });
  await expect(own.getByTestId('own-step')).toHaveText('1', { timeout: 10_000 });
  const predicted = await own
    .getByTestId('own-result')
    .evaluateAll((rs) => rs.map((r) => r.querySelector('[data-testid="own-prediction"]')?.textContent?.trim() ?? ''));
  const right = predicted.filter((p, i) => p === queries[i].truth).length;
  console.log(`photo-like queries: ${right} of 5 right (${predicted.join(', ')})`);
  expect(right).toBeGreaterThanOrEqual(3); // chance is 1 of 5
  expect(errors).toEqual([]);
});
