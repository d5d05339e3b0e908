#!/usr/bin/env node
// Bundles the `timbre` command and its worker threads into out/cli/ with esbuild, so that a spawn of
// bin/timbre.mjs loads a few plain JavaScript files instead of transpiling ~200 TypeScript modules
// through tsx. bin/timbre.mjs uses the bundle only while out/cli/manifest.json says it is newer than
// every file it was built from; otherwise it builds it again (buildCli below, quietly), or if that
// cannot be done runs the sources through tsx as before. `npm test` builds it first, out loud.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const outDir = path.join(root, 'out', 'cli');
const manifestFile = path.join(outDir, 'manifest.json');
// One build at a time: a `timbre` that finds the bundle stale while another builds it runs the
// sources instead of building it twice (two builds of different sources could mix their files).
const lockFile = path.join(root, 'out', 'cli.lock');
// A lock older than this was left by a build that died.
const LOCK_STALE_MS = 60_000;

// The packages our sources import that are bundled with them (with their own dependencies): pure
// JavaScript that reads no files of its own, which is most of the start-up time left after tsx.
// Every other package stays outside and loads from node_modules as before: native code
// (better-sqlite3, tfjs-node, msgpackr-extract under bullmq), packages that find their own files
// (tfjs's .wasm, sf3's SoundFonts, bullmq's Lua scripts, Playwright), tfjs itself (only the
// workers that build models may load it: test/cli/startup.test.ts watches) and dev tools.
const BUNDLED = new Set(['zod', 'ws', 'spessasynth_core', 'ml-random-forest']);
// Optional native speed-ups ws requires inside a try: left to fail at run time as they did.
const OPTIONAL = new Set(['bufferutil', 'utf-8-validate']);

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Marks a bare import external unless it is a bundled package or inside one. */
const externals = {
  name: 'timbre-externals',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = packageName(args.path);
      const fromPackage = args.importer.split(path.sep).includes('node_modules');
      if (OPTIONAL.has(name) || (!fromPackage && !BUNDLED.has(name)))
        return { path: args.path, external: true };
      return undefined;
    });
  },
};

// Worker threads: each `siblingModule(import.meta.url, 'name')` in the sources starts the module
// `name.ts` beside its caller, which in the bundle is `<entry>.js` beside the chunk holding the
// caller. Every entry and chunk sits flat in out/cli/ (which also keeps paths computed as
// `import.meta.dirname/../..` at the repository root), so each worker module found is an entry
// named after it, or after its folder too where two share a name (the call is rewritten to match).
const SIBLING = /siblingModule\(\s*import\.meta\.url\s*,\s*(['"])([\w.-]+)\1\s*\)/g;

function sourceFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'app' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Each worker module the sources start (absolute path) and its entry name in out/cli/. */
function workerEntries() {
  const targets = new Set();
  for (const file of sourceFiles(path.join(root, 'src-main'))) {
    const text = fs.readFileSync(file, 'utf8');
    // A call of another shape would start a worker the bundle does not have: no bundle then.
    const calls = text.match(/\bsiblingModule\(/g)?.length ?? 0;
    const known = text.match(SIBLING)?.length ?? 0;
    if (calls > known && file !== path.join(root, 'src-main/core/workers.ts'))
      throw new Error(
        `${path.relative(root, file)} calls siblingModule() other than as siblingModule(import.meta.url, 'name').`,
      );
    for (const match of text.matchAll(SIBLING)) {
      const target = path.join(path.dirname(file), `${match[2]}.ts`);
      if (fs.existsSync(target)) targets.add(target);
    }
  }
  const base = (file) => path.basename(file, '.ts');
  const shared = (file) => [...targets].filter((other) => base(other) === base(file)).length > 1;
  const names = new Map();
  for (const target of targets)
    names.set(
      target,
      shared(target) ? `${path.basename(path.dirname(target))}-${base(target)}` : base(target),
    );
  if (names.has(path.join(root, 'src-main/cli.ts')) || new Set(names.values()).size !== names.size)
    throw new Error('Two worker modules would have one name in out/cli/.');
  return names;
}

/** Points each siblingModule() call at its worker's entry name. */
function workerCalls(workers) {
  return {
    name: 'timbre-workers',
    setup(build) {
      build.onLoad({ filter: /[\\/]src-main[\\/].*\.ts$/ }, (args) => {
        const text = fs.readFileSync(args.path, 'utf8');
        const contents = text.replace(SIBLING, (call, quote, name) => {
          const entry = workers.get(path.join(path.dirname(args.path), `${name}.ts`));
          return entry ? `siblingModule(import.meta.url, ${quote}${entry}${quote})` : call;
        });
        return { contents, loader: 'ts' };
      });
    },
  };
}

// esbuild comes with tsx, a runtime dependency, so it is there wherever `timbre` runs from sources.
function loadEsbuild() {
  const require = createRequire(import.meta.url);
  try {
    return createRequire(require.resolve('tsx/package.json'))('esbuild');
  } catch {
    return require('esbuild');
  }
}

// Takes the build lock; false if another build holds it.
function takeLock() {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      return true;
    } catch (err) {
      if (err?.code !== 'EEXIST') throw err;
      const stat = fs.statSync(lockFile, { throwIfNoEntry: false });
      if (stat && Date.now() - stat.mtimeMs < LOCK_STALE_MS) return false;
      fs.rmSync(lockFile, { force: true });
    }
  }
  return false;
}

/**
 * Builds out/cli/ unless another build holds the lock; returns the number of files the bundle was
 * built from, or null when another build was under way. Quiet: esbuild prints nothing (the
 * caller is a `timbre` command whose output is the user's), errors are only thrown.
 */
export async function buildCli({ quiet = false } = {}) {
  if (!takeLock()) return null;
  try {
    return await build(quiet);
  } finally {
    // esbuild's service process would otherwise live as long as a `timbre serve` that built.
    await loadEsbuild().stop?.();
    fs.rmSync(lockFile, { force: true });
  }
}

async function build(quiet) {
  const esbuild = loadEsbuild();
  const workers = workerEntries();
  // Taken before esbuild reads a source, so a file saved during the build counts as newer; 100 ms
  // earlier still, as file times come from a coarser clock than Date.now() and may lag it.
  const builtAt = Date.now() - 100;
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [
      { in: 'src-main/cli.ts', out: 'cli' },
      ...[...workers].map(([file, name]) => ({ in: file, out: name })),
    ],
    outdir: outDir,
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [externals, workerCalls(workers)],
    // Bundled CommonJS packages (ws) require Node's built-ins, which an ES module must ask for.
    banner: {
      js: "import { createRequire as __timbreRequire } from 'node:module';\nconst require = __timbreRequire(import.meta.url);",
    },
    // Functions and classes keep their own names (esbuild would rename clashes across modules).
    keepNames: true,
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: quiet ? 'silent' : 'warning',
  });

  const inputs = Object.keys(result.metafile.inputs);
  // The build's own recipe counts as a source: a changed script or tsconfig makes the bundle stale.
  // So do the lock files, as npm gives installed packages' files all one old time.
  const extras = ['scripts/build-cli.mjs', 'tsconfig.json', 'package.json', 'package-lock.json'];
  for (const extra of [...extras, 'node_modules/.package-lock.json'])
    if (!inputs.includes(extra) && fs.existsSync(path.join(root, extra))) inputs.push(extra);
  // [path from the repository root, size in bytes] of each.
  const sources = inputs.map((file) => [file, fs.statSync(path.join(root, file)).size]);

  // Each file is written beside its final name and renamed over it, chunks before the entries
  // that import them and the manifest last, so a `timbre` starting meanwhile finds either the old
  // bundle or the new one (or a stale manifest and runs from sources), never half a file.
  fs.mkdirSync(outDir, { recursive: true });
  const written = new Set(['manifest.json']);
  const put = (file, contents) => {
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, contents);
    fs.renameSync(temp, file);
    written.add(path.basename(file));
  };
  const isEntry = (file) => !path.basename(file).startsWith('chunk-');
  const files = [...result.outputFiles].sort((a, b) => Number(isEntry(a.path)) - Number(isEntry(b.path)));
  for (const file of files) put(file.path, file.contents);
  put(manifestFile, `${JSON.stringify({ builtAt, sources })}\n`);
  // Chunks of earlier builds go once a day old: a `timbre serve` started from an earlier build
  // may still import one it loads only when needed.
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const name of fs.readdirSync(outDir)) {
    const file = path.join(outDir, name);
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!written.has(name) && stat && stat.mtimeMs < dayAgo) fs.rmSync(file, { force: true });
  }
  return sources.length;
}

// Run as a script (`npm run build:cli`): waits for a build under way, then builds, out loud.
if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  try {
    const started = performance.now();
    let count = await buildCli();
    while (count === null && performance.now() - started < LOCK_STALE_MS) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      count = await buildCli();
    }
    if (count === null) throw new Error(`another build holds ${path.relative(root, lockFile)}`);
    const ms = Math.round(performance.now() - started);
    console.log(`Built out/cli/ (the timbre command) from ${count} files in ${ms} ms.`);
  } catch (err) {
    // esbuild has already printed its own errors with file and line; this says what failed.
    console.error(
      `Could not build out/cli/: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
    );
    process.exitCode = 1;
  }
}
