import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    // Both cores (Vitest's default leaves one idle when not watching): the suite is CPU-bound.
    maxWorkers: 2,
    setupFiles: ['src/maml/testing/setupNode.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
