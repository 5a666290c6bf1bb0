// Main-thread load of the live sinusoid page while it trains: the share of time the page's
// main thread is busy, long tasks (> 50 ms) and the iteration rate, over 20 s, in headless
// Debian Chromium. Start the app first (npm start), then: npm run bench:page [-- URL]
import { chromium } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../playwright.config';

const url = process.argv[2] ?? 'http://127.0.0.1:5173/';
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
await page.goto(url);
await page.waitForTimeout(10_000);
const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
const iteration = async () => Number((await page.getByTestId('iteration').textContent())?.replace(/\D/g, '') ?? 0);
const seconds = 20;
const [a, it0] = [await metrics(), await iteration()];
const longTasks = await page.evaluate(
  (ms) =>
    new Promise<number[]>((resolve) => {
      const seen: number[] = [];
      new PerformanceObserver((l) => l.getEntries().forEach((e) => seen.push(Math.round(e.duration)))).observe({ type: 'longtask' });
      setTimeout(() => resolve(seen), ms);
    }),
  seconds * 1000,
);
const [b, it1] = [await metrics(), await iteration()];
const share = (k: string) => +(((b[k] - a[k]) / seconds) * 100).toFixed(1);
console.log(
  JSON.stringify({
    bench: 'page-main-thread',
    seconds,
    busyPercent: share('TaskDuration'),
    scriptPercent: share('ScriptDuration'),
    layoutPercent: share('LayoutDuration'),
    longTasksMs: longTasks,
    metaItersPerSec: +((it1 - it0) / seconds).toFixed(1),
  }),
);
await browser.close();
