import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    // Both cores (Vitest's default leaves one idle when not watching): the suite is CPU-bound.
    maxWorkers: 2,
    setupFiles: ['scripts/tests/setupNode.ts'], // Node's test harness (tfjs backend, V8 flags), so outside the pure core
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
