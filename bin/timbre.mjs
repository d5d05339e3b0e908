#!/usr/bin/env node
// The `timbre` command. It runs the bundle in out/cli/ (scripts/build-cli.mjs), which starts in a
// third of the time of the TypeScript sources: as it is while it is newer than every source, else
// built again first (about a second). Where it cannot be built (another build under way, a build
// error, a folder it may not write) it runs the sources through tsx, as right after `npm install`.
// TIMBRE_FROM_SOURCES=1 runs the sources whatever the bundle.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bundle = path.join(root, 'out', 'cli');

// Whether out/cli/manifest.json lists the files the bundle was built from, and none of them has
// changed since (modified after the build began, a different size, or gone). A missing or
// unreadable manifest means no bundle. A stat per file: a few milliseconds.
function bundleFresh() {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
  } catch {
    return false;
  }
  const { builtAt, sources } = manifest ?? {};
  if (typeof builtAt !== 'number' || !Array.isArray(sources) || sources.length === 0) return false;
  for (const entry of sources) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'number') return false;
    const stat = fs.statSync(path.resolve(root, entry[0]), { throwIfNoEntry: false });
    if (!stat || stat.mtimeMs > builtAt || stat.size !== entry[1]) return false;
  }
  return true;
}

// Builds the bundle quietly; false where it cannot be built now.
async function rebuilt() {
  try {
    const { buildCli } = await import('../scripts/build-cli.mjs');
    return (await buildCli({ quiet: true })) !== null;
  } catch {
    // A source that does not compile fails the same way under tsx, with its message.
    return false;
  }
}

let cli;
if (!process.env.TIMBRE_FROM_SOURCES && (bundleFresh() || (await rebuilt()))) {
  // Where a stack trace is printed (TIMBRE_DEBUG; the browser shell logs internal errors' stacks)
  // it names the TypeScript sources, as under tsx. Elsewhere reading the maps would cost ~40 ms.
  if (process.env.TIMBRE_DEBUG || process.argv[2] === 'serve') process.setSourceMapsEnabled(true);
  cli = await import('../out/cli/cli.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src-main/cli.ts');
}
process.exitCode = await cli.main(process.argv.slice(2));
