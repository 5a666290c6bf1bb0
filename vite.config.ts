import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig(({ command, mode }) => {
  // A build is a production build whatever NODE_ENV the shell (or vite-node, in the bench
  // scripts) has: without this, Vite 8 bundled React's development build (twice the size,
  // StrictMode's doubled effects and workers), and under vite-node its development JSX too.
  const production = command === 'build' && mode === 'production';
  if (production) process.env.NODE_ENV = 'production';
  return {
    define: production ? { 'process.env.NODE_ENV': JSON.stringify('production') } : {},
    plugins: [react()],
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
