#!/usr/bin/env node
// `npm start`: the Electron window where Electron's binary is installed; otherwise the browser
// shell (`timbre serve`), saying why. Either way the default data set is rendered on first start.
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { register } from 'tsx/esm/api';

const root = path.resolve(import.meta.dirname, '..');

function electronBinary() {
  try {
    // The electron package exports the path of its binary, which its install step downloads.
    const bin = createRequire(import.meta.url)('electron');
    return typeof bin === 'string' && fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const electron = process.env.TIMBRE_NO_ELECTRON ? null : electronBinary();
if (electron) {
  const built = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (built.status !== 0) process.exit(built.status ?? 1);
  const app = spawn(electron, [root], { stdio: 'inherit' });
  app.on('exit', (code) => process.exit(code ?? 0));
} else {
  process.stderr.write(
    'Electron is not installed on this machine (its binary could not be downloaded when npm installed it),\n' +
      'so Timbre Workbench runs as the browser shell: open the URL below in a browser.\n\n',
  );
  register();
  const { main } = await import('../src-main/cli.ts');
  process.exitCode = await main(['serve', ...process.argv.slice(2)]);
}
