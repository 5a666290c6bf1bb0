/**
 * How fast the Omniglot lab learns from a reset, as a person would see it: headless Debian
 * Chromium opens the running app, resets the model to a fresh initialisation with the default
 * settings, presses Train and exports the model every `--every` minutes of training for `--minutes`
 * (pausing for each export, which the page offers while paused); each export is then scored in Node on the held-out alphabets (5-way 1-shot, `--episodes` seeded
 * episodes, the page's evaluation), so scoring takes none of the training time.
 *   npm start   # in another shell
 *   npx vite-node scripts/omniglot-from-reset.ts -- [--url http://127.0.0.1:5173/] [--minutes 10] [--every 2] [--episodes 200]
 * Prints one JSON line per export and a table.
 */
import { chromium, type Download } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config';
import { loadCheckpoint } from './load-checkpoint';
import { evaluateCheckpoint, EVALUATION_SEED } from './lib/evaluateOmniglot';
import { useBackend } from './node-backend';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:5173/' },
    minutes: { type: 'string', default: '10' },
    every: { type: 'string', default: '2' },
    episodes: { type: 'string', default: '200' },
    query: { type: 'string', default: '' },
  },
});
const minutes = Number(args.minutes);
const every = Number(args.every);
const dir = mkdtempSync(join(tmpdir(), 'omniglot-reset-'));

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on('dialog', (d) => d.accept());
await page.goto(`${args.url}?experiment=omniglot${args.query ? `&${args.query}` : ''}`);
await page.getByTestId('omniglot-backend').waitFor();
await page.waitForFunction(
  () => /^(wasm|cpu|webgpu|webgl)$/.test(document.querySelector('[data-testid="omniglot-backend"]')?.textContent ?? ''),
  null,
  {
    timeout: 120_000,
  },
);
const status = async () => (await page.getByTestId('omniglot-status').innerText()).replace(/\s+/g, ' ');
await page.getByTestId('scratch').click();
await page.waitForFunction(() => /meta-iteration 0$/.test(document.querySelector('[data-testid="omniglot-iteration"]')?.textContent ?? ''));
await page.getByTestId('omniglot-target').fill('1000000');
await page.getByTestId('omniglot-play').click();
const t0 = Date.now();
console.log(`training from a reset: ${await status()}`);

const exports: { minute: number; file: string }[] = [];
// Export is offered while paused: each export pauses, and the pause is not counted as training time.
let paused = 0;
const playLabel = () => page.getByTestId('omniglot-play').innerText();
for (let m = every; m <= minutes + 1e-9; m += every) {
  await page.waitForTimeout(Math.max(0, t0 + paused + m * 60_000 - Date.now()));
  const p0 = Date.now();
  await page.getByTestId('omniglot-play').click();
  while (!/Train/.test(await playLabel())) await page.waitForTimeout(100);
  const got: Download[] = [];
  const listener = (d: Download) => got.push(d);
  page.on('download', listener);
  await page.getByTestId('omniglot-export').click();
  while (got.length < 2) await page.waitForTimeout(100);
  page.off('download', listener);
  const sub = join(dir, `m${m}`);
  for (const d of got) await d.saveAs(join(sub, d.suggestedFilename()));
  exports.push({
    minute: m,
    file: join(
      sub,
      got.map((d) => d.suggestedFilename()).find((n) => n.endsWith('.json'))!,
    ),
  });
  console.log(`minute ${m}: exported (${await status()})`);
  await page.getByTestId('omniglot-play').click();
  paused += Date.now() - p0;
}
await browser.close();

await useBackend('wasm');
const rows = [];
for (const e of exports) {
  const ck = loadCheckpoint(e.file);
  const [r] = evaluateCheckpoint(ck, { episodes: Number(args.episodes), seed: EVALUATION_SEED, settings: [{ way: 5, shot: 1 }] });
  const row = { minute: e.minute, iteration: r.iteration, accuracy: r.accuracy, ci95: r.ci95, episodes: Number(args.episodes) };
  rows.push(row);
  console.log(JSON.stringify(row));
}
writeFileSync(join(dir, 'curve.json'), JSON.stringify(rows, null, 1));
console.log(`\n| minutes | meta-iterations | held-out 5-way 1-shot |\n|---|---|---|`);
for (const r of rows) console.log(`| ${r.minute} | ${r.iteration} | ${(100 * r.accuracy).toFixed(1)}% ± ${(100 * r.ci95).toFixed(1)}% |`);
console.log(`(exports in ${dir})`);
