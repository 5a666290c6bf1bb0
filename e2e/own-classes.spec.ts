import { expect, test, type Page } from '@playwright/test';
import { encode } from 'fast-png';
import { zipSync } from 'fflate';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { animatedGif, classFolders, scribbles, shapePng, shapes, SHAPE_CLASSES, shapeQueries, teachShapeClasses } from './fixtures/images';
import { peakMemoryRise, SCREENSHOTS, watchErrors, openDetails } from './helpers';
import { zipBomb } from './fixtures/zipBomb';
import { mutate, seeds } from './fixtures/mutations';
import { createRng } from '../src/maml/random';

async function openLab(page: Page) {
  await page.goto('./?experiment=omniglot');
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  const own = page.getByTestId('own-classes');
  await expect(own.getByTestId('own-class')).toHaveCount(3, { timeout: 60_000 });
  return own;
}

/** Every request the page makes from now on: none may carry an image or leave the page's origin. */
function recordRequests(page: Page) {
  const requests: { method: string; url: string; body: number }[] = [];
  page.on('request', (r) => requests.push({ method: r.method(), url: r.url(), body: r.postDataBuffer()?.length ?? 0 }));
  return () => {
    const origin = new URL(page.url()).origin;
    expect(requests.filter((r) => r.method !== 'GET' || r.body > 0)).toEqual([]);
    expect(requests.filter((r) => new URL(r.url).origin !== origin)).toEqual([]);
  };
}

test.describe('your own classes', () => {
  test.setTimeout(240_000);

  test('classify the example set step by step beside the baselines; draw, paste and drop examples; no image leaves the page', async ({
    page,
  }) => {
    const errors = watchErrors(page);
    const own = await openLab(page);
    const checkRequests = recordRequests(page);

    await own.getByTestId('own-steps').fill('3');
    await own.getByTestId('classify').click();
    await expect(own.getByTestId('own-result')).toHaveCount(6, { timeout: 60_000 });
    // The inner steps play one by one: step 0 (zero head, uniform) up to step 3.
    await expect(own.getByTestId('own-step')).toHaveText('3', { timeout: 10_000 });
    await expect(own.getByTestId('own-loss').locator('circle')).toHaveCount(4 * 3); // meta-learned, pretrained, random: steps 0..3
    const lossText = await own.getByTestId('own-loss-text').innerText();
    const losses = lossText.match(/\d+\.\d+(e-?\d+)?/g)!.map(Number);
    expect(losses).toHaveLength(4);
    expect(losses[0]).toBeCloseTo(Math.log(3), 2); // the zero head: uniform over 3 classes
    expect(losses[1]).toBeLessThan(losses[0]);
    for (let i = 2; i < losses.length; i++) expect(losses[i]).toBeLessThanOrEqual(losses[i - 1]);
    // At step 0 every class is equally likely.
    await own.getByTestId('own-step-slider').fill('0');
    await expect(own.getByTestId('own-result').first()).toContainText('no prediction yet, every class 33.3%');
    await own.getByTestId('own-step-slider').fill('3');

    // The example queries are known: the meta-learned model names them, and the baselines are shown beside it.
    const names = await own
      .getByTestId('own-class')
      .locator('input[aria-label^="Name of class"]')
      .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    const predicted = await own.getByTestId('own-prediction').allInnerTexts();
    expect(predicted.filter((p, i) => p === names[Math.floor(i / 2)]).length).toBeGreaterThanOrEqual(5);
    const score = await own.getByTestId('own-score').innerText();
    expect(score).toMatch(/meta-learned [56]\/6/);
    expect(score).toMatch(/pretrained baseline \d\/6/);
    expect(score).toMatch(/random initialisation \d\/6/);
    expect(score).toMatch(/nearest neighbour \(pixels\) \d\/6/);
    await expect(own.getByTestId('own-baselines').first()).toHaveText(
      /after 3 steps: pretrained .+ · random init .+ · nearest neighbour .+/,
    );

    // A drawing with the mouse, added to class 1.
    const pad = own.getByTestId('drawpad');
    const box = (await pad.boundingBox())!;
    await page.mouse.move(box.x + 40, box.y + 40);
    await page.mouse.down();
    for (const [dx, dy] of [
      [80, 40],
      [120, 80],
      [80, 130],
      [40, 90],
    ])
      await page.mouse.move(box.x + dx, box.y + dy, { steps: 5 });
    await page.mouse.up();
    await own.getByTestId('drawpad-add').click();
    await expect(own.getByTestId('own-class').first().locator('canvas')).toHaveCount(2);

    // A pasted image goes to the target chosen under "add to" (class 2 here).
    await own.getByTestId('drawpad-target').selectOption({ index: 1 });
    const ring = [...shapePng(shapes()[0])];
    await page.evaluate((bytes) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' }));
      document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true }));
    }, ring);
    await expect(own.getByTestId('own-class').nth(1).locator('canvas')).toHaveCount(2);
    await expect(own.getByTestId('own-notice')).toContainText('added to class 2');

    // Files dropped on the queries.
    const dropped = await page.evaluateHandle((bytes) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], 'dropped.png', { type: 'image/png' }));
      return dt;
    }, ring);
    await own.getByTestId('own-query-drop').dispatchEvent('drop', { dataTransfer: dropped });
    await expect(own.getByTestId('own-queries').locator('canvas')).toHaveCount(7);

    await own.getByTestId('classify').click();
    await expect(own.getByTestId('own-result')).toHaveCount(7, { timeout: 60_000 });
    await expect(own.getByTestId('own-step')).toHaveText('3', { timeout: 10_000 });
    await own.scrollIntoViewIfNeeded();
    await own.screenshot({ path: `${SCREENSHOTS}/own-classes.png` });
    checkRequests();
    expect(errors).toEqual([]);
  });

  test('upload 3 classes of generated images and their queries: predictions and probabilities are shown', async ({ page }) => {
    const errors = watchErrors(page);
    const own = await openLab(page);
    const checkRequests = recordRequests(page);
    // Replace the example set by three classes of one's own, taught by files.
    await teachShapeClasses(own);
    await expect(own.getByTestId('own-queries').locator('canvas')).toHaveCount(0);
    const names = SHAPE_CLASSES;
    await own.getByTestId('query-files').setInputFiles(shapeQueries());
    await expect(own.getByTestId('own-queries').locator('canvas')).toHaveCount(6);
    await own.getByTestId('own-steps').fill('3');
    await own.getByTestId('classify').click();
    await expect(own.getByTestId('own-result')).toHaveCount(6, { timeout: 60_000 });
    await expect(own.getByTestId('own-step')).toHaveText('3', { timeout: 10_000 });
    // Files are decoded in parallel, so queries appear in the order they were read: match each by its name.
    const pairs = await own
      .getByTestId('own-result')
      .evaluateAll((rs) =>
        rs.map((r) => [
          r.querySelector('[aria-label^="query "]')?.getAttribute('aria-label') ?? '',
          r.querySelector('[data-testid="own-prediction"]')?.textContent ?? '',
        ]),
      );
    expect(pairs).toHaveLength(6);
    // They are shown in the order they were chosen, whichever finished decoding first.
    expect(pairs.map(([query]) => query)).toEqual(names.flatMap((n) => [`query ${n}-q1.png`, `query ${n}-q2.png`]));
    expect(pairs.filter(([query, predicted]) => query.replace('query ', '').startsWith(`${predicted}-`)).length).toBeGreaterThanOrEqual(5);
    // Every query has a bar per class, with probabilities that sum to 100%.
    const first = own.getByTestId('own-result').first();
    await expect(first.locator('.prob-row')).toHaveCount(3);
    const values = (await first.locator('.prob-value').allInnerTexts()).map((t) => parseFloat(t));
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    checkRequests();
    expect(errors).toEqual([]);
  });

  test('every kind of bad input gets a message naming the file and the reason, and the rest is kept', async ({ page }) => {
    const errors = watchErrors(page);
    const own = await openLab(page);
    const problems = own.getByTestId('own-problems');

    // An empty drawing.
    await own.getByTestId('drawpad-add').click();
    await expect(own.getByRole('alert').filter({ hasText: 'drawing is empty' })).toBeVisible();

    const ring = shapePng(shapes()[0]);
    const truncated = ring.subarray(0, Math.floor(ring.length / 2));
    const wide = Buffer.from(encode({ width: 8001, height: 4, data: new Uint8Array(8001 * 4).fill(255), channels: 1, depth: 8 }));
    const huge = Buffer.alloc(21 * 1024 * 1024, 7);
    await own.getByTestId('query-files').setInputFiles([
      { name: 'ring.png', mimeType: 'image/png', buffer: ring },
      { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('this is text') },
      { name: 'half.png', mimeType: 'image/png', buffer: truncated },
      {
        name: 'blank.png',
        mimeType: 'image/png',
        buffer: Buffer.from(encode({ width: 50, height: 50, data: new Uint8Array(2500).fill(255), channels: 1, depth: 8 })),
      },
      {
        name: 'logo.svg',
        mimeType: 'image/svg+xml',
        buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      },
      { name: 'dance.gif', mimeType: 'image/gif', buffer: animatedGif() },
      { name: 'wide.png', mimeType: 'image/png', buffer: wide },
      { name: 'huge.png', mimeType: 'image/png', buffer: huge },
    ]);
    await expect(problems).toContainText('huge.png: 22.0 MB is over the 20 MB limit');
    await expect(problems).toContainText('wide.png: 8001×4 px is over the 8000 px limit');
    await expect(problems).toContainText('notes.png: not a readable image');
    await expect(problems).toContainText('half.png: not a readable image');
    await expect(problems).toContainText('blank.png: no ink found');
    await expect(problems).toContainText('logo.svg: SVG images are not accepted');
    await expect(problems).toContainText('dance.gif: animated images are not accepted');
    // The good file is kept beside the six example queries.
    await expect(own.getByTestId('own-queries').locator('canvas')).toHaveCount(7);

    // A class with no examples is named before anything runs.
    await own.getByTestId('add-class').click();
    await own.getByTestId('classify').click();
    await expect(problems).toContainText('Class 4 (unnamed) has no examples.');
    await own.getByRole('button', { name: 'Remove class 4' }).click();
    await own.getByTestId('classify').click();
    await expect(own.getByTestId('own-result')).toHaveCount(7, { timeout: 60_000 });

    // Batch mode: a zip with a nested archive, a path leaving the archive and a class whose only file is not an image.
    await openDetails(own.getByTestId('batch'));
    const png = (i: number) => new Uint8Array(shapePng(shapes()[i]));
    const zip = zipSync({
      'alpha/1.png': png(0),
      'beta/1.png': png(1),
      'gamma/readme.txt': new TextEncoder().encode('not an image'),
      'delta/1.png': new Uint8Array(Buffer.from('broken')),
      'alpha/../../escape.png': png(2),
      'more.zip': zipSync({ 'x/1.png': png(3) }),
      ...Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`epsilon/${i + 1}.png`, png(4)])),
      'query/q1.png': png(0),
      'query/q2.png': png(1),
    });
    await own
      .getByTestId('batch-support-zip')
      .setInputFiles({ name: 'support.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
    await own.getByTestId('batch-run').click();
    const batchProblems = own.getByTestId('batch-problems');
    await expect(batchProblems).toContainText('alpha/../../escape.png: path leaves the archive', { timeout: 60_000 });
    await expect(batchProblems).toContainText('more.zip: nested archives are not opened');
    await expect(batchProblems).toContainText('gamma/readme.txt: not an image file name');
    await expect(batchProblems).toContainText('delta/1.png: not a readable image');
    await expect(batchProblems).toContainText('delta/: class has no usable examples');
    await expect(batchProblems).toContainText('epsilon/: class has 7 examples, more than the 5 the model takes, and is left out');
    await expect(own.getByTestId('batch-table').locator('tbody tr')).toHaveCount(2);

    // Not a zip at all.
    await own
      .getByTestId('batch-support-zip')
      .setInputFiles({ name: 'fake.zip', mimeType: 'application/zip', buffer: Buffer.from('PK nothing here') });
    await own.getByTestId('batch-run').click();
    await expect(batchProblems).toContainText('fake.zip: not a readable zip archive', { timeout: 30_000 });
    expect(errors).toEqual([]);
  });

  test("batch mode refuses a zip bomb at once, with the browser's memory bounded", { tag: '@alone' }, async ({ page }) => {
    const own = await openLab(page);
    await openDetails(own.getByTestId('batch'));
    // 1.8 MB that inflates to 1.9 GB: 100 entries of 19 MB of zeros, each under the per-entry limit.
    const bomb = await zipBomb(100, 19e6);
    expect(bomb.length).toBeLessThan(2.5e6);
    await own.getByTestId('batch-support-zip').setInputFiles({ name: 'bomb.zip', mimeType: 'application/zip', buffer: Buffer.from(bomb) });
    const t0 = Date.now();
    const rise = await peakMemoryRise(async () => {
      await own.getByTestId('batch-run').click();
      await expect(own.getByTestId('batch-problems')).toContainText(
        'bomb.zip: its 100 images would inflate to 1900 MB, over the 200 MB an archive may hold; nothing was read',
        { timeout: 30_000 },
      );
    });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(rise).toBeLessThan(300e6);
    // The lab goes on: the button is back.
    await expect(own.getByTestId('batch-run')).toHaveText('Classify batch');
  });

  test('fuzz: 300 mutated images through the page’s own decoders each give a prediction or a named problem, and the worker lives on', async ({
    page,
  }) => {
    const errors = watchErrors(page);
    const own = await openLab(page);
    await openDetails(own.getByTestId('batch'));
    const rng = createRng('fuzz/page-decoders');
    const images = seeds().filter((s) => !s.name.endsWith('.zip'));
    const files: Record<string, Uint8Array> = {
      'a/1.png': new Uint8Array(shapePng(shapes()[0])),
      'b/1.png': new Uint8Array(shapePng(shapes()[1])),
    };
    for (let i = 0; i < 300; i++) {
      const s = images[i % images.length];
      files[`query/m${String(i).padStart(3, '0')}.${s.name.split('.').pop()}`] = mutate(rng, s.bytes).bytes;
    }
    await own
      .getByTestId('batch-support-zip')
      .setInputFiles({ name: 'fuzz.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync(files)) });
    await own.getByTestId('batch-run').click();
    await expect(own.getByTestId('batch-run')).toHaveText('Classify batch', { timeout: 180_000 });
    const rows = await own.getByTestId('batch-table').locator('tbody tr').count();
    const problems = (await own.getByTestId('batch-problems').locator('li').allInnerTexts()).filter((p) => p.startsWith('query/m'));
    // Every query accounted for: predicted, or refused with its name and a reason.
    expect(rows + problems.length).toBe(300);
    for (const p of problems) expect(p).toMatch(/^query\/m\d{3}\.\w+: .{5,}/);
    expect(problems.length).toBeGreaterThan(30);
    expect(rows).toBeGreaterThan(30);
    // The worker still answers: a new episode is drawn.
    await page.getByTestId('new-episode').click();
    await expect(page.getByTestId('support-grid').locator('canvas')).toHaveCount(5, { timeout: 60_000 });
    expect(errors).toEqual([]);
  });

  test('a long batch run shows its progress and can be cancelled', async ({ page }) => {
    const own = await openLab(page);
    await openDetails(own.getByTestId('batch'));
    // 400 large queries (one 1600 px drawing, stored 400 times): reading them takes a while.
    const big = new Uint8Array(shapePng(shapes()[2], 1600));
    const zip = zipSync({
      'a/1.png': new Uint8Array(shapePng(shapes()[0])),
      'b/1.png': new Uint8Array(shapePng(shapes()[1])),
      ...Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`query/q${i}.png`, big])),
    });
    await own.getByTestId('batch-support-zip').setInputFiles({ name: 'long.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
    await own.getByTestId('batch-run').click();
    await expect(own.getByTestId('batch-progress')).toContainText('of 402 images read', { timeout: 30_000 });
    await own.getByTestId('batch-cancel').click();
    await expect(own.getByTestId('batch-problems')).toContainText(/Cancelled after \d+ of 402 images were read; nothing was classified/, {
      timeout: 10_000,
    });
    await expect(own.getByTestId('batch-progress')).toHaveCount(0);
    await expect(own.getByTestId('batch-table')).toHaveCount(0);
    await expect(own.getByTestId('batch-run')).toBeEnabled();
  });

  test('Classify pressed while images are still being read waits for them; a refusal stays until dismissed', async ({ page }) => {
    const own = await openLab(page);
    await expect(own.getByTestId('own-queries').locator('canvas')).toHaveCount(6);
    // Big enough that reading them takes a moment: the click lands before they are back.
    const big = (i: number) => {
      const s = shapes()[i];
      return { name: `big${i}.png`, mimeType: 'image/png', buffer: shapePng(s, 2400) };
    };
    await own
      .getByTestId('query-files')
      .setInputFiles([big(0), { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('text') }, big(1)]);
    await own.getByTestId('classify').click();
    // Every query shown is classified, the two new ones included.
    await expect(own.getByTestId('own-result')).toHaveCount(8, { timeout: 60_000 });
    await expect(own.getByTestId('own-queries').locator('canvas')).toHaveCount(8);
    // The refusal is still shown after the next action, until dismissed.
    await expect(own.getByTestId('own-problems')).toContainText('notes.png: not a readable image');
    await own.getByTestId('classify').click();
    await expect(own.getByTestId('classify')).toContainText('Classify');
    await expect(own.getByTestId('own-problems')).toContainText('notes.png: not a readable image');
    await own.getByTestId('own-dismiss').click();
    await expect(own.getByTestId('own-problems')).toHaveCount(0);
  });

  test('batch mode: a folder of 5 classes and a folder of queries give a table and a CSV with one row per query', async ({ page }) => {
    const errors = watchErrors(page);
    const own = await openLab(page);
    const checkRequests = recordRequests(page);
    const names = ['ring', 'bar', 'cross', 'corner', 'wave'];
    const root = mkdtempSync(join(tmpdir(), 'maml-batch-'));
    const { support, queries } = classFolders(
      root,
      shapes(0),
      names.map((_, c) => [shapes(1)[c], shapes(2)[c]]),
      names,
    );

    await openDetails(own.getByTestId('batch'));
    await own.getByTestId('batch-support-folder').setInputFiles(support);
    await own.getByTestId('batch-query-folder').setInputFiles(queries);
    await expect(own.getByTestId('batch-picked')).toContainText('5 files');
    await own.getByTestId('batch-run').click();
    const rows = own.getByTestId('batch-table').locator('tbody tr');
    await expect(rows).toHaveCount(10, { timeout: 60_000 });
    const download = page.waitForEvent('download');
    await own.getByTestId('batch-csv').click();
    const csv = readFileSync(await (await download).path(), 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toBe('query,predicted,probability');
    expect(csv).toHaveLength(11);
    const right = csv.slice(1).filter((line) => {
      const [file, predicted, p] = line.split(',');
      expect(Number(p)).toBeGreaterThan(0);
      expect(Number(p)).toBeLessThanOrEqual(1);
      return file.startsWith(`${predicted}-`);
    });
    expect(right.length).toBeGreaterThanOrEqual(8);
    await own.getByTestId('batch').screenshot({ path: `${SCREENSHOTS}/own-classes-batch.png` });
    checkRequests();
    expect(errors).toEqual([]);
  });

  test('batch mode: a zip of 20 classes with one example each', async ({ page }) => {
    const errors = watchErrors(page);
    const own = await openLab(page);
    const classes = scribbles(20, 11);
    const variants = scribbles(20, 11, 0.06);
    const files: Record<string, Uint8Array> = {};
    classes.forEach((s, c) => (files[`set/class${String(c + 1).padStart(2, '0')}/1.png`] = new Uint8Array(shapePng(s))));
    variants.forEach((s, c) => (files[`set/query/q${String(c + 1).padStart(2, '0')}.png`] = new Uint8Array(shapePng(s, 72))));
    await openDetails(own.getByTestId('batch'));
    await own
      .getByTestId('batch-support-zip')
      .setInputFiles({ name: 'twenty.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync(files)) });
    await own.getByTestId('batch-run').click();
    const rows = own.getByTestId('batch-table').locator('tbody tr');
    await expect(rows).toHaveCount(20, { timeout: 90_000 });
    await expect(own.getByTestId('batch-result')).toContainText('20 classes');
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    const right = cells.filter(([file, predicted]) => file.slice(1, 3) === predicted.slice(5, 7)).length;
    expect(right).toBeGreaterThanOrEqual(14);
    expect(errors).toEqual([]);
  });
});

test.describe('your own classes on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  test.setTimeout(240_000);

  test('the panel fits the width and classifies', async ({ page }) => {
    const errors = watchErrors(page);
    const own = await openLab(page);
    await own.getByTestId('classify').click();
    await expect(own.getByTestId('own-result')).toHaveCount(6, { timeout: 60_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await own.screenshot({ path: `${SCREENSHOTS}/own-classes-phone.png` });
    expect(errors).toEqual([]);
  });
});
