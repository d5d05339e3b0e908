import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      lib: { entry: resolve('src-main/app/index.ts') },
      rollupOptions: { external: ['better-sqlite3', '@tensorflow/tfjs-node'] },
    },
  },
  preload: {
    build: { outDir: 'out/preload', lib: { entry: resolve('src-main/app/preload.ts') } },
  },
  renderer: {
    root: resolve('src-renderer'),
    build: { outDir: 'out/renderer', rollupOptions: { input: resolve('src-renderer/index.html') } },
    plugins: [svelte()],
  },
});
