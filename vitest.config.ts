import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['src/maml/testing/setupNode.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
