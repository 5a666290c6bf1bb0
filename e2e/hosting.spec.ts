import { expect, test, type Page } from '@playwright/test';
import { iteration, waitForBackend, watchErrors } from './helpers';
import { staticHost } from './fixtures/staticHost';

/**
 * The built `dist/` as a teacher would host it: copied to a sub-path (/maml-lab/) of a plain
 * static host, no special headers. All three labs run from there; after the first visit the
 * service worker has cached everything, so the lab reloads and trains with the host gone; and a
 * new version is announced, not swapped in silently.
 */
test.setTimeout(300_000);
test.use({ serviceWorkers: 'allow' });

const PREFIX = '/maml-lab/';

/** Waits until the page is controlled by a service worker that has cached everything. */
async function waitForOffline(page: Page) {
  await expect(page.getByTestId('offline-ready')).toBeVisible({ timeout: 120_000 });
  await page.evaluate(() => navigator.serviceWorker.ready);
}

test('the build works from a sub-path of a plain static host: all three labs start', async ({ page }) => {
  const host = await staticHost('dist', PREFIX);
  try {
    const errors = watchErrors(page);
    await page.goto(host.url);
    await waitForBackend(page);
    await expect.poll(() => iteration(page), { timeout: 120_000 }).toBeGreaterThan(10);
    await page.getByTestId('tab-omniglot').click();
    await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
    await page.getByTestId('tab-rl').click();
    await expect(page.getByTestId('plane-maml').getByTestId('path-after')).toHaveCount(5, { timeout: 120_000 });
    // Everything came from under the prefix: nothing was asked of the host's root.
    expect(host.state.requests.filter((p) => !p.startsWith(PREFIX))).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await host.close();
  }
});

test('after one visit the lab works offline: the host goes away, the page reloads and trains', async ({ page }) => {
  const host = await staticHost('dist', PREFIX);
  const errors = watchErrors(page);
  await page.goto(host.url);
  await waitForBackend(page);
  await waitForOffline(page);
  await host.close();
  // No network at all now: the reload is served by the service worker.
  await page.reload();
  await waitForBackend(page);
  const start = await iteration(page);
  await expect.poll(() => iteration(page), { timeout: 120_000 }).toBeGreaterThan(start + 10);
  // The Omniglot lab's data pack and model, and the RL policies, come from the cache too.
  await page.getByTestId('tab-omniglot').click();
  await expect(page.getByTestId('omniglot-backend')).toHaveText(/^(wasm|cpu)$/, { timeout: 120_000 });
  await page.getByTestId('tab-rl').click();
  await expect(page.getByTestId('plane-maml').getByTestId('path-after')).toHaveCount(5, { timeout: 120_000 });
  expect(errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(e))).toEqual([]);
});

test('a new version is announced and comes in on the reload the user asks for', async ({ page }) => {
  const host = await staticHost('dist', PREFIX);
  try {
    await page.goto(host.url);
    await waitForBackend(page);
    await waitForOffline(page);
    // A later visit: the page is now run by the cached version.
    await page.reload();
    await waitForBackend(page);
    expect(await page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
    // The host now serves a new build (its service worker differs by a byte).
    host.state.transform = (path, body) => (path === 'sw.js' ? Buffer.concat([body, Buffer.from('\n// v2\n')]) : body);
    await page.evaluate(async () => (await navigator.serviceWorker.ready).update());
    await expect(page.getByTestId('update-ready')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('update-ready')).toContainText('new version');
    // Nothing changed under the user's feet: the new version waits until they reload.
    const registration = () =>
      page.evaluate(async () => {
        const r = await navigator.serviceWorker.getRegistration();
        return { waiting: !!r?.waiting, controlled: !!navigator.serviceWorker.controller };
      });
    expect((await registration()).waiting).toBe(true);
    await page.getByTestId('update-reload').click();
    await expect(page.getByTestId('update-ready')).toBeHidden({ timeout: 60_000 });
    await waitForBackend(page);
    // The new version is the one running now, and it controls the page.
    expect(await registration()).toEqual({ waiting: false, controlled: true });
  } finally {
    await host.close();
  }
});
