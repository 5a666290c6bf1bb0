// ESLint: typescript-eslint's recommended rules, plus the layer boundaries of
// docs/ARCHITECTURE.md. The learning core (src/maml) imports nothing from the workers,
// the page, the bench or the scripts, and nothing of the DOM's frameworks or of Node;
// shared image code (src/classify) neither; workers nothing from the page; the page
// only the workers' protocol types (it talks to workers by messages).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const layer = (...groups) => ['error', { patterns: groups }];
const notCore = [
  {
    group: ['**/worker/**', '**/app/**', '**/bench/**', '**/scripts/**', '**/classify/**'],
    message: 'the learning core imports nothing from workers, the page, the bench, classify or scripts',
  },
  { group: ['react', 'react-dom', 'react/*', 'node:*', 'fs', 'path'], message: 'the learning core is pure: no React, no Node modules' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'runs/**', 'test-results/**', 'playwright-report/**', 'public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.worker, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/app/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  { files: ['src/maml/**/*.ts'], ignores: ['src/maml/**/*.test.ts'], rules: { 'no-restricted-imports': layer(...notCore) } },
  // Core tests may use Node (they run in Vitest) but still nothing from the other layers.
  { files: ['src/maml/**/*.test.ts'], rules: { 'no-restricted-imports': layer(notCore[0]) } },
  {
    files: ['src/classify/**/*.ts'],
    rules: {
      'no-restricted-imports': layer({
        group: ['**/worker/**', '**/app/**', '**/bench/**', '**/scripts/**'],
        message: 'classify is shared by the worker and the scripts: it imports neither',
      }),
    },
  },
  {
    files: ['src/worker/**/*.ts'],
    rules: {
      'no-restricted-imports': layer({
        group: ['**/app/**', '**/bench/**', '**/scripts/**', 'react', 'react-dom'],
        message: 'workers import nothing from the page, the bench or the scripts',
      }),
    },
  },
  {
    files: ['src/app/**/*.{ts,tsx}', 'src/main.tsx'],
    rules: {
      'no-restricted-imports': layer({
        group: [
          '**/worker/*',
          '!**/worker/protocol',
          '!**/worker/omniglotProtocol',
          '!**/worker/rlProtocol',
          '!**/worker/livenessProtocol',
          '**/bench/**',
          '**/scripts/**',
        ],
        message: 'the page talks to workers by messages: it imports only their protocols',
      }),
    },
  },
  {
    files: ['scripts/**/*.ts', 'e2e/**/*.ts'],
    rules: {
      'no-restricted-imports': layer({
        group: ['**/src/app/**', '**/src/worker/**', '**/src/bench/**'],
        message: 'scripts and tests run the core, not the page or its workers',
      }),
    },
  },
);
