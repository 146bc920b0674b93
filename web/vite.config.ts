import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { precompress } from './scripts/precompress.mjs';

// Pinned to this folder so the same config works from the workspace root
// (`vite build --config web/vite.config.ts`) and from web/ (the Nx targets).
const root = fileURLToPath(new URL('.', import.meta.url));

// The dev server forwards API and Socket.IO traffic to a local gateway.
const gateway = process.env['PARLEY_DEV_GATEWAY_URL'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  base: '/',
  // Keep Vite's and Vitest's caches out of web/ (the workspace has one node_modules).
  cacheDir: '../node_modules/.vite/web',
  plugins: [react(), precompress()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    // No public source maps unless asked for (WEB_SOURCEMAPS=true, e.g. for a debugging build).
    sourcemap: process.env['WEB_SOURCEMAPS'] === 'true',
    rollupOptions: {
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: gateway },
      '/ws': { target: gateway, ws: true },
    },
  },
  test: {
    root,
    environment: 'jsdom',
    include: ['src/**/*.spec.{ts,tsx}'],
    setupFiles: ['src/testing/test-setup.ts'],
    restoreMocks: true,
    // The JSON summary lets `npm test` print one closing line for every runner.
    reporters: ['default', 'json'],
    outputFile: { json: '../.cache/test-results/vitest-web.json' },
  },
});
