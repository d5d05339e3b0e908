import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The Electron shell's main-process modules run against a stand-in: Electron's binary (and with
    // it the module) cannot be installed here. The app never imports electron from core or shared.
    alias: { electron: fileURLToPath(new URL('./test/helpers/electron-stub.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Two cores: files that spawn worker pools or train models run one after another.
    fileParallelism: false,
  },
});
