import { expect, type Locator, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

export const SCREENSHOTS = 'e2e/screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

/** Collects console errors and page errors, so a test can assert there were none. */
/**
 * Opens a <details> panel by clicking its summary, again if the click did not open it: panels
 * above it that fill in (example sets, bars) can move the summary between Playwright's
 * hit-test and its click, most of all in a one-column phone layout.
 */
export async function openDetails(details: Locator) {
  const isOpen = () => details.evaluate((d) => (d as HTMLDetailsElement).open);
  await expect(async () => {
    if (!(await isOpen())) await details.locator('summary').click();
    expect(await isOpen()).toBe(true);
  }).toPass({ timeout: 30_000 });
}

export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

export async function iteration(page: Page): Promise<number> {
  const text = await page.getByTestId('iteration').innerText();
  return Number(text.replace(/[^0-9]/g, ''));
}

/** Waits until calibration is over and the backend is named. */
export async function waitForBackend(page: Page): Promise<string> {
  await expect(page.getByTestId('backend')).toHaveText(/^(webgpu|webgl|wasm|cpu)$/, { timeout: 120_000 });
  return page.getByTestId('backend').innerText();
}

export const pathOf = (page: Page, testid: string) => page.getByTestId(testid).getAttribute('d');

/** The vertices of an SVG path made of M and L commands (d3's line output), in order. */
export function pathVertices(d: string | null): [number, number][] {
  if (!d) return [];
  return [...d.matchAll(/[ML]\s*(-?[\d.e+-]+)[ ,](-?[\d.e+-]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

/** True when a line's vertices are finite and go left to right (a function's graph). */
export const isGraph = (v: [number, number][]) =>
  v.every(([x, y], i) => Number.isFinite(x) && Number.isFinite(y) && (i === 0 || x > v[i - 1][0]));

/** Resident memory (bytes) of the browser this test process started: every process below it (Linux ps). */
export function browserMemory(): number {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,rss='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of rows) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const rss = new Map(rows.map(([pid, , r]) => [pid, r]));
  let total = 0;
  const stack = [...(children.get(process.pid) ?? [])];
  while (stack.length) {
    const pid = stack.pop()!;
    total += (rss.get(pid) ?? 0) * 1024;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Runs `action` while sampling browserMemory every 100 ms; the peak rise over the start. */
export async function peakMemoryRise(action: () => Promise<void>): Promise<number> {
  const start = browserMemory();
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, browserMemory())), 100);
  try {
    await action();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, browserMemory()) - start;
}

/** The Omniglot lab set to a fresh model of `filters` filters and meta-batch `metaBatch` (Train from scratch, confirmed). */
export async function omniglotFromScratch(page: Page, filters: number, metaBatch: number) {
  await page.locator('#o-filters').fill(String(filters));
  await page.locator('#o-metaBatch').fill(String(metaBatch));
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('scratch').click();
  await expect(page.getByTestId('omniglot-iteration')).toContainText(/meta-iteration 0$/);
}
