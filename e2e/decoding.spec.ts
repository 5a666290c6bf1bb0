import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PNG_KINDS, baselineJpeg, drawing, encodePng, withOrientation } from './fixtures/imageKinds';
import { writeOfficialRun } from './fixtures/officialDrawings';
import { decodeImage } from '../scripts/lib/decodeImage';
import { preprocessRgba } from '../src/maml/omniglot/preprocess';
import { watchErrors, openDetails } from './helpers';

const JPEGS = resolve(import.meta.dirname, 'fixtures', 'jpeg');

/** Every kind of file the page and the command line both read, by name. */
function allKinds(): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  const ink = drawing(105, 97);
  for (const k of PNG_KINDS) files[`${k.name}.png`] = encodePng(k, ink, 105, 97).bytes;
  for (const f of readdirSync(JPEGS).filter((n) => n.endsWith('.jpg'))) files[f] = readFileSync(join(JPEGS, f));
  files['baseline.jpg'] = baselineJpeg();
  for (const o of [3, 6, 8]) files[`orientation-${o}.jpg`] = withOrientation(baselineJpeg(), o);
  return files;
}

test.describe('the page and the command line read images alike', () => {
  test.setTimeout(300_000);

  test("every PNG and JPEG kind: the page's worker (its thumbnails of what the model sees) and the command line give the same 28x28 input, within 1/255", async ({
    page,
  }) => {
    const errors = watchErrors(page);
    await page.goto('./?experiment=omniglot');
    const own = page.getByTestId('own-classes');
    await expect(own.getByTestId('own-class')).toHaveCount(3, { timeout: 120_000 });
    const files = allKinds();
    const before = await own.getByTestId('own-queries').locator('canvas').count();
    await own
      .getByTestId('query-files')
      .setInputFiles(
        Object.entries(files).map(([name, buffer]) => ({ name, mimeType: name.endsWith('.png') ? 'image/png' : 'image/jpeg', buffer })),
      );
    await expect(own.getByTestId('own-queries').locator('canvas')).toHaveCount(before + Object.keys(files).length, { timeout: 60_000 });
    // Each thumbnail holds the worker's 28x28 input as bytes (round(255 x ink)).
    const shown: Record<string, number[]> = await own
      .getByTestId('own-queries')
      .locator('canvas')
      .evaluateAll((canvases) =>
        Object.fromEntries(
          canvases.map((c) => {
            const data = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 28, 28).data;
            return [
              c.getAttribute('aria-label')!.replace(', as the model sees it', ''),
              Array.from({ length: 784 }, (_, i) => 255 - data[4 * i]),
            ];
          }),
        ),
      );
    const report: { name: string; worst: number }[] = [];
    for (const [name, bytes] of Object.entries(files)) {
      const node = decodeImage(name, bytes);
      const p = preprocessRgba(node.data, node.width, node.height).pixels;
      const q = shown[name];
      expect(q, name).toBeDefined();
      let worst = 0;
      for (let i = 0; i < 784; i++) worst = Math.max(worst, Math.abs(Math.round(255 * p[i]) - q[i]));
      report.push({ name, worst });
    }
    console.log(
      `largest per-pixel difference of the 28x28 input, page vs command line (in 1/255): ${report.map((r) => `${r.name} ${r.worst}`).join(', ')}`,
    );
    // Both round to bytes: a difference of at most 1/255 before rounding is at most 1 after.
    expect(report.filter((r) => r.worst > 1)).toEqual([]);
    expect(errors).toEqual([]);
  });

  /** Runs npm run classify and the page's batch mode on the same folders; returns both CSVs as maps. */
  async function bothWays(page: import('@playwright/test').Page, support: string, query: string) {
    const queries = readdirSync(query).length;
    const cli = spawnSync('npx', ['vite-node', 'scripts/classify.ts', '--', '--support', support, '--query', query], {
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    const parse = (csv: string) =>
      new Map(
        csv
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(','))
          .map(([q, c, p]) => [q, { c, p: Number(p) }]),
      );
    const fromCli = parse(cli.stdout);
    expect(fromCli.size).toBe(queries);

    const own = page.getByTestId('own-classes');
    await own.getByTestId('batch-support-folder').setInputFiles(support);
    await own.getByTestId('batch-query-folder').setInputFiles(query);
    await own.getByTestId('batch-run').click();
    await expect(own.getByTestId('batch-result')).toContainText(`${queries} queries`, { timeout: 120_000 });
    await expect(own.getByTestId('batch-table').locator('tbody tr')).toHaveCount(queries);
    const download = page.waitForEvent('download');
    await own.getByTestId('batch-csv').click();
    const fromPage = parse(readFileSync(await (await download).path(), 'utf8'));
    expect(fromPage.size).toBe(queries);
    let worst = 0;
    for (const [q, { c, p }] of fromCli) {
      const other = fromPage.get(q);
      expect(other?.c, q).toBe(c);
      worst = Math.max(worst, Math.abs(other!.p - p));
      expect(Math.abs(other!.p - p), q).toBeLessThanOrEqual(0.01);
    }
    return { fromCli, worst };
  }

  test('batch mode and npm run classify on the same folders (the official 1-bit drawings; every kind of file): same class for every query, probabilities within 0.01', async ({
    page,
  }) => {
    const errors = watchErrors(page);
    await page.goto('./?experiment=omniglot');
    const own = page.getByTestId('own-classes');
    await expect(own.getByTestId('own-class')).toHaveCount(3, { timeout: 120_000 });
    await openDetails(own.getByTestId('batch'));

    // A 10-way one-shot run of katakana as the official files are.
    const run = writeOfficialRun(mkdtempSync(join(tmpdir(), 'maml-parity-')), { way: 10, supportDrawer: 4, queryDrawer: 5, first: 5 });
    const official = await bothWays(page, run.support, run.query);
    const right = [...official.fromCli].filter(([q, { c }]) => run.truth[q] === c).length;
    // The official drawings are read as drawings, not noise (chance: 1 of 10; the shipped model gets 6).
    expect(right).toBeGreaterThanOrEqual(4);

    // Every kind of file as a query, against the same classes. (The queries are normalised as
    // one batch, so they go in a folder of their own: many copies of one drawing would shift
    // the batch statistics of the official queries.)
    const kinds = join(mkdtempSync(join(tmpdir(), 'maml-kinds-')), 'query');
    mkdirSync(kinds);
    for (const [name, bytes] of Object.entries(allKinds())) writeFileSync(join(kinds, name), bytes);
    const every = await bothWays(page, run.support, kinds);
    console.log(
      `official run: ${right} of 10 right, largest probability difference page vs command line ${official.worst.toFixed(5)}; every kind (${every.fromCli.size} files): ${every.worst.toFixed(5)}`,
    );
    expect(errors).toEqual([]);
  });
});
