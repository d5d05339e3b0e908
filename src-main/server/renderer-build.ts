import fs from 'node:fs';
import path from 'node:path';

/** Root of the repository (or installed package), where src-renderer/ and out/ live. */
export const APP_ROOT = path.resolve(import.meta.dirname, '../..');
/** Where the built renderer goes. */
export const RENDERER_OUT = path.join(APP_ROOT, 'out', 'renderer');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
  }
  return latest;
}

/** Whether the built renderer is missing or older than its sources. */
export function rendererStale(): boolean {
  const index = path.join(RENDERER_OUT, 'index.html');
  if (!fs.existsSync(index)) return true;
  const sources = [path.join(APP_ROOT, 'src-renderer'), path.join(APP_ROOT, 'src-main', 'shared')];
  const built = fs.statSync(index).mtimeMs;
  return sources.some((dir) => fs.existsSync(dir) && newest(dir) > built);
}

/** Builds the renderer with vite (a development dependency) into out/renderer. */
export async function buildRenderer(): Promise<void> {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new Error(
      'The UI is not built (out/renderer is missing) and vite is not installed to build it: run `npm install`.',
    );
  }
  await vite.build({ configFile: path.join(APP_ROOT, 'src-renderer', 'vite.config.ts'), logLevel: 'warn' });
}
