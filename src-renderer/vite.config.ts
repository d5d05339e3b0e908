import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// The renderer as the browser shell serves it (`timbre serve`); Electron builds the same
// sources through electron.vite.config.ts.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [svelte()],
  build: { outDir: resolve(import.meta.dirname, '../out/renderer'), emptyOutDir: true },
});
