// The packaged app's configuration (package.json "build", read by electron-builder): the Electron
// fuses the issue asks for, and a layout those fuses can run (everything in app.asar except what
// cannot load from it; no sources the app does not run).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Configuration } from 'electron-builder';
import { describe, expect, it } from 'vitest';

type FuseOptions = NonNullable<Configuration['electronFuses']>;

const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  main: string;
  build: Configuration & { files: string[]; asarUnpack: string[] };
};

// Typed by electron-builder's own FuseOptionsV1: a misspelt or missing fuse fails `tsc`, not just this test.
const FUSES: Required<
  Omit<FuseOptions, 'resetAdHocDarwinSignature' | 'loadBrowserProcessSpecificV8Snapshot'>
> = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableCookieEncryption: true,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  // The window is served from app://; file:// pages (the hidden PDF printer's) need no extra rights.
  grantFileProtocolExtraPrivileges: false,
};

describe('packaging', () => {
  it('sets each Electron fuse', () => {
    const fuses = pkg.build.electronFuses as Record<string, unknown>;
    for (const [name, value] of Object.entries(FUSES)) expect(fuses[name], name).toBe(value);
    expect(Object.keys(fuses).sort()).toEqual(Object.keys(FUSES).sort());
  });

  it('is a configuration electron-builder accepts (its schema refuses unknown fuse names)', async () => {
    const require = createRequire(path.join(root, 'node_modules/electron-builder/package.json'));
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
    };
    const { DebugLogger } = require('builder-util/out/DebugLogger.js') as {
      DebugLogger: new (on: boolean) => unknown;
    };
    await expect(validateConfiguration(pkg.build, new DebugLogger(false))).resolves.toBeUndefined();
    const typo = { ...pkg.build, electronFuses: { ...pkg.build.electronFuses, runAsNodes: false } };
    await expect(validateConfiguration(typo, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
  });

  it('packs the app into app.asar, the entry included, with only native code and wasm outside it', () => {
    expect(pkg.build.asar).not.toBe(false);
    // onlyLoadAppFromAsar: the entry point must come from the archive.
    expect(pkg.main).toMatch(/^\.\/out\/main\//);
    expect(pkg.build.files).toContain('out/**');
    // The bundle runs no sources: the CLI and the browser shell run them through tsx, outside the app;
    // nor the cluster's deployment files (deploy/: units, manifests, scripts for servers).
    expect(pkg.build.files.some((f) => /^(src-main|src-renderer|bin|test|deploy)\b/.test(f))).toBe(false);
    // Nor the CLI's bundle (out/cli, for `timbre` run from a checkout).
    expect(pkg.build.files).toContain('!out/cli/**');
    expect(pkg.build.asarUnpack).toContain('node_modules/better-sqlite3/**');
    expect(pkg.build.asarUnpack).toContain('node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm');
    // JavaScript unpacked would run unchecked by the asar integrity fuse.
    expect(pkg.build.asarUnpack.some((p) => p.startsWith('out/'))).toBe(false);
  });

  it(
    'builds main, worker, preload and renderer files where the app and the worker loader look for them',
    { timeout: 300_000 },
    () => {
      // Built as `npm run build` does (about a minute), into a folder of its own: out/renderer is
      // also the browser shell's build, which other tests serve meanwhile.
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'timbre-build-'));
      try {
        const built = spawnSync(
          process.execPath,
          [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', out],
          { cwd: root, encoding: 'utf8', env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } },
        );
        expect(built.status, `${built.stdout}\n${built.stderr}`).toBe(0);
        for (const f of [
          'main/train-worker.js',
          'main/render-worker.js',
          'main/feature-worker.js',
          'preload/index.cjs',
        ]) {
          expect(fs.existsSync(path.join(out, f)), f).toBe(true);
        }
        const html = fs.readFileSync(path.join(out, 'renderer', 'index.html'), 'utf8');
        // Served from app://workbench/index.html: relative asset addresses resolve under the same origin.
        const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
        for (const ref of refs.filter((r) => !r.startsWith('data:'))) {
          expect(ref, ref).toMatch(/^\.\/assets\//);
          expect(fs.existsSync(path.join(out, 'renderer', ref)), ref).toBe(true);
        }
        // The bundle never reads the sources the package no longer ships.
        for (const f of fs.readdirSync(path.join(out, 'main')).filter((n) => n.endsWith('.js'))) {
          expect(fs.readFileSync(path.join(out, 'main', f), 'utf8'), f).not.toMatch(
            /src-(main|renderer)[/\\]/,
          );
        }
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    },
  );
});
