/**
 * Soak benchmark (not a test): the production page in headless Chromium trains for a long time,
 * and the worker's tensor count and JS heaps (the worker's and the page's) are sampled, so a
 * leak shows as a trend. Reported at the start, the middle and the end of each run.
 *   npm run soak [-- --sinusoid 100000] [--omniglot 2000] [--json]
 * Sinusoid: the default lab (paper settings, every view on), on the fused kernel. Omniglot: a
 * small network (8 filters, meta-batch 4) from scratch on the wasm kernel, so 2,000
 * meta-iterations fit in minutes on two cores; memory per iteration does not depend on the size.
 */
import { parseArgs } from 'node:util';
import { build, preview } from 'vite';
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config';

const { values: args } = parseArgs({
  options: {
    sinusoid: { type: 'string', default: '100000' },
    omniglot: { type: 'string', default: '2000' },
    json: { type: 'boolean', default: false },
  },
});

interface Sample {
  iteration: number;
  seconds: number;
  tensors: number | null;
  workerHeapMB: number;
  pageHeapMB: number;
}

/** The page's used JS heap in MB (Chromium's performance.memory, precise with --enable-precise-memory-info). */
const pageHeapMB = async (page: Page) =>
  +((await page.evaluate(() => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize)) / 1e6).toFixed(1);

/**
 * A worker's used JS heap in MB, from DevTools (Runtime.getHeapUsage of the worker's isolate;
 * workers have no performance.memory): attached through the browser's CDP session.
 */
async function workerHeap(browser: Browser, urlPart: string): Promise<() => Promise<number>> {
  const cdp = await browser.newBrowserCDPSession();
  const { targetInfos } = await cdp.send('Target.getTargets');
  const target = targetInfos.find((t) => t.type === 'worker' && t.url.includes(urlPart));
  if (!target) throw new Error(`no ${urlPart} worker among ${targetInfos.map((t) => `${t.type} ${t.url}`).join(', ')}`);
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
  let id = 0;
  const waiting = new Map<number, (r: { usedSize: number }) => void>();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message) as { id?: number; result?: { usedSize: number } };
    if (m.id !== undefined && m.result) waiting.get(m.id)?.(m.result);
  });
  const call = (method: string) =>
    new Promise<{ usedSize: number }>((resolve) => {
      const n = ++id;
      waiting.set(n, resolve);
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: n, method }) });
    });
  return async () => {
    await call('HeapProfiler.collectGarbage');
    return +((await call('Runtime.getHeapUsage')).usedSize / 1e6).toFixed(1);
  };
}

const digits = (text: string) => Number(text.replace(/[^0-9]/g, ''));

async function soak(
  name: string,
  page: Page,
  workerHeapMB: () => Promise<number>,
  target: number,
  read: () => Promise<{ iteration: number; tensors: number | null }>,
): Promise<Sample[]> {
  const t0 = Date.now();
  const samples: Sample[] = [];
  const take = async () => {
    const r = await read();
    samples.push({
      ...r,
      seconds: Math.round((Date.now() - t0) / 1000),
      workerHeapMB: await workerHeapMB(),
      pageHeapMB: await pageHeapMB(page),
    });
    if (!args.json) console.error(`${name}: ${JSON.stringify(samples[samples.length - 1])}`);
  };
  await take();
  for (;;) {
    await page.waitForTimeout(10_000);
    await take();
    if (samples[samples.length - 1].iteration >= target) break;
  }
  return samples;
}

function report(name: string, samples: Sample[]) {
  const at = (f: number) => samples.reduce((best, s) => (Math.abs(s.iteration - f) < Math.abs(best.iteration - f) ? s : best));
  const end = samples[samples.length - 1];
  const rows = { start: samples[0], middle: at(end.iteration / 2), end };
  if (args.json) console.log(JSON.stringify({ experiment: name, ...rows, samples: samples.length }));
  else {
    console.log(`\n${name}`);
    for (const [k, s] of Object.entries(rows))
      console.log(
        `  ${k.padEnd(6)} iteration ${String(s.iteration).padStart(7)}  ${String(s.seconds).padStart(5)} s  tensors ${String(s.tensors ?? '-').padStart(5)}  worker heap ${s.workerHeapMB} MB  page heap ${s.pageHeapMB} MB`,
      );
  }
}

async function main() {
  await build({ logLevel: 'warn' });
  const server = await preview({ preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
  const url = server.resolvedUrls!.local[0];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'],
  });
  try {
    const sinusoidTarget = Number(args.sinusoid);
    if (sinusoidTarget > 0) {
      const page = await browser.newPage();
      page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
      await page.goto(`${url}?engine=fused`);
      await page.getByTestId('backend').waitFor({ timeout: 120_000 });
      const samples = await soak('sinusoid', page, await workerHeap(browser, 'maml.worker'), sinusoidTarget, async () => ({
        iteration: digits(await page.getByTestId('iteration').innerText()),
        tensors: digits((await page.locator('footer').innerText()).match(/(\d+) tensors/)?.[1] ?? ''),
      }));
      report('sinusoid (paper settings, fused kernel, every view on)', samples);
      await page.close();
    }
    const omniglotTarget = Number(args.omniglot);
    if (omniglotTarget > 0) {
      const page = await browser.newPage();
      page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
      await page.goto(`${url}?experiment=omniglot`);
      await page
        .getByTestId('omniglot-backend')
        .filter({ hasText: /wasm|cpu/ })
        .waitFor({ timeout: 120_000 });
      await page.locator('#o-filters').fill('8');
      await page.locator('#o-metaBatch').fill('4');
      page.once('dialog', (d) => d.accept());
      await page.getByTestId('scratch').click();
      await page.getByTestId('omniglot-target').fill(String(omniglotTarget));
      await page.getByTestId('omniglot-play').click();
      const samples = await soak('omniglot', page, await workerHeap(browser, 'omniglot.worker'), omniglotTarget, async () => ({
        iteration: digits(await page.getByTestId('omniglot-iteration').innerText()),
        tensors: null, // the conv kernel keeps no tensors between iterations (plain arrays)
      }));
      report('omniglot (8 filters, meta-batch 4, 5-way 1-shot, wasm kernel)', samples);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
