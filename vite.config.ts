import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig(({ command, mode }) => {
  // A build is a production build whatever NODE_ENV the shell (or vite-node, in the bench
  // scripts) has: without this, Vite 8 bundled React's development build (twice the size,
  // StrictMode's doubled effects and workers), and under vite-node its development JSX too.
  const production = command === 'build' && mode === 'production';
  if (production) process.env.NODE_ENV = 'production';
  return {
    define: production ? { 'process.env.NODE_ENV': JSON.stringify('production') } : {},
    plugins: [
      react(),
      // Offline after the first visit: a service worker precaches the page, its workers and
      // wasm files, the data pack and the models. A new build waits until the page says so and
      // the user reloads (registerType 'prompt'; UpdateBanner.tsx), never silently.
      VitePWA({
        registerType: 'prompt',
        injectRegister: false,
        manifest: false,
        workbox: {
          globPatterns: ['**/*.{html,js,css,wasm,json,jsonl,bin,woff2}'],
          // The browser benchmark's page and worker are not part of the lab.
          globIgnores: ['bench.html', '**/sinusoid.worker-*.js', '**/bench-*.js'],
          // Workers are 2 MB each (tfjs inside), the data pack 3.7 MB.
          maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
          navigateFallback: 'index.html',
          // Settings live in the query string (?experiment=rl&alpha=…): any of them is the same page.
          ignoreURLParametersMatching: [/.*/],
          cleanupOutdatedCaches: true,
        },
      }),
    ],
    base: './',
    worker: { format: 'es' as const },
    build: {
      target: 'es2022',
      chunkSizeWarningLimit: 4000,
      rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
    },
    // No optimizeDeps exclusions: excluding tfjs-backend-wasm served its CommonJS worker file
    // unbundled, which broke the dev server's imports (issue 15).
    server: { host: '127.0.0.1', port: 5173 },
    preview: { host: '127.0.0.1', port: 4173 },
  };
});
