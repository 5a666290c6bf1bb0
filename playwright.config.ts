import { defineConfig } from '@playwright/test';

/** Debian's Chromium, never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Port of the preview server; set E2E_PORT to run two checkouts' suites side by side. */
const PORT = Number(process.env.E2E_PORT ?? 4173);
/** Port of the dev server (`npm run dev`) for its smoke test: the next one up. */
const DEV_PORT = PORT + 1;

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  // Two browsers at once: most tests wait on the page far more than they compute, and with one
  // worker the suite left half of this 2-core machine idle (25 min against 15). Tests that
  // measure the page's own timing are tagged @alone and run afterwards, one at a time.
  workers: Number(process.env.E2E_WORKERS ?? 2),
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    // No service worker except in the offline tests (hosting.spec.ts), which allow it.
    serviceWorkers: 'block',
    viewport: { width: 1280, height: 900 },
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
  },
  projects: [
    // The WebGPU specs first: SwiftShader makes them the longest file (about 5 min), so they
    // start at once and the other worker gets through the rest beside them.
    { name: 'webgpu', testMatch: /webgpu\.spec/, use: { baseURL: `http://127.0.0.1:${PORT}/` } },
    // Vite's dev server, as contributors run it.
    { name: 'dev', testMatch: /dev-server\.spec/, use: { baseURL: `http://127.0.0.1:${DEV_PORT}/` } },
    // The production build, as users get it: every other spec.
    {
      name: 'build',
      testIgnore: /dev-server\.spec|webgpu\.spec/,
      grepInvert: /@alone/,
      use: { baseURL: `http://127.0.0.1:${PORT}/` },
    },
    // What measures the page's own timing (long tasks, seconds to visible learning), once
    // everything else is done, one test at a time: a second browser beside it would be measured too.
    {
      name: 'alone',
      testIgnore: /dev-server\.spec|webgpu\.spec/,
      grep: /@alone/,
      dependencies: ['webgpu', 'dev', 'build'],
      workers: 1,
      use: { baseURL: `http://127.0.0.1:${PORT}/` },
    },
  ],
  webServer: [
    {
      command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
      url: `http://127.0.0.1:${PORT}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
    {
      command: `npx vite --host 127.0.0.1 --port ${DEV_PORT} --strictPort`,
      url: `http://127.0.0.1:${DEV_PORT}/`,
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
    },
  ],
});
