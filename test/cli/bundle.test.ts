import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyDataset } from '../helpers/tiny';
import { tempDir } from '../helpers/tmp';

const ROOT = path.resolve(import.meta.dirname, '../..');

// An ESM resolve hook that logs the app's own modules (and any of tfjs) the main thread resolves,
// to tell which `timbre` ran: the bundle (out/cli/cli.js, no .ts) or the sources (src-main/cli.ts).
const HOOKS = `import fs from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const found = await next(specifier, context);
  const url = found.url;
  if (url.startsWith('file:') && (!url.includes('/node_modules/') || url.includes('/@tensorflow/')))
    fs.appendFileSync(log, url + '\\n');
  return found;
}
`;
const WATCH = `import { register } from 'node:module';
register('./hooks.mjs', import.meta.url, { data: { log: process.env.TIMBRE_RESOLVE_LOG } });
`;

let dir: string;
let cleanup: () => void;
let app: string;
let home: string;
let watch: string;
let spawns = 0;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  /** Which code answered, from the modules the process loaded. */
  from: 'bundle' | 'sources' | 'unknown';
  loads: string[];
}

// Runs the copy's bin/timbre.mjs as a user does; `sources` forces the tsx path for comparison.
function timbre(args: string[], options: { sources?: boolean; home?: string } = {}): Ran {
  const log = path.join(dir, `resolved-${++spawns}.txt`);
  const env: Record<string, string | undefined> = {
    ...process.env,
    TIMBRE_HOME: options.home ?? home,
    TIMBRE_RESOLVE_LOG: log,
    TIMBRE_FROM_SOURCES: options.sources ? '1' : undefined,
  };
  const r = spawnSync(process.execPath, ['--import', watch, path.join(app, 'bin/timbre.mjs'), ...args], {
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
  const loads = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  const own = loads.filter(
    (url) => url.startsWith(pathToFileURL(app).href) && !url.includes('/node_modules/'),
  );
  const bundle = pathToFileURL(path.join(app, 'out/cli/cli.js')).href;
  const ts = own.filter((url) => url.endsWith('.ts'));
  const from =
    own.includes(bundle) && ts.length === 0
      ? 'bundle'
      : ts.some((url) => url.endsWith('/src-main/cli.ts')) && !own.includes(bundle)
        ? 'sources'
        : 'unknown';
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, from, loads };
}

function build(): void {
  const r = spawnSync(process.execPath, [path.join(app, 'scripts/build-cli.mjs')], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/^Built out\/cli\/ \(the timbre command\) from \d+ files in \d+ ms\.$/m);
}

// When the bundle in the copy was last built, from its manifest.
function builtAt(): number {
  return (JSON.parse(fs.readFileSync(path.join(app, 'out/cli/manifest.json'), 'utf8')) as { builtAt: number })
    .builtAt;
}

// The parts of a run that do not depend on when and where it ran.
function outcome(stdout: string) {
  const run = JSON.parse(stdout.trim().split('\n').pop()!) as {
    status: string;
    test: unknown;
    epochs: {
      epoch: number;
      trainLoss: number;
      trainAccuracy: number;
      valLoss: number;
      valAccuracy: number;
    }[];
  };
  return {
    status: run.status,
    test: run.test,
    epochs: run.epochs.map(({ epoch, trainLoss, trainAccuracy, valLoss, valAccuracy }) => ({
      epoch,
      trainLoss,
      trainAccuracy,
      valLoss,
      valAccuracy,
    })),
  };
}

beforeAll(() => {
  ({ dir, cleanup } = tempDir('timbre-bundle-'));
  // A copy of the app beside its installed packages: the bundle is built, used and made stale
  // there, never in the checkout the suite runs from (whose out/cli/ other tests use).
  app = path.join(dir, 'app');
  for (const sub of ['bin', 'scripts', 'src-main'])
    fs.cpSync(path.join(ROOT, sub), path.join(app, sub), { recursive: true });
  for (const file of ['package.json', 'tsconfig.json'])
    fs.copyFileSync(path.join(ROOT, file), path.join(app, file));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir');
  home = path.join(dir, 'home');
  fs.writeFileSync(path.join(dir, 'hooks.mjs'), HOOKS);
  fs.writeFileSync(path.join(dir, 'watch.mjs'), WATCH);
  watch = pathToFileURL(path.join(dir, 'watch.mjs')).href;
});
afterAll(() => cleanup());

describe('the timbre command and its bundle (out/cli/)', () => {
  it('builds the bundle on first use, quietly, and runs it: no TypeScript, no @tensorflow module', () => {
    const r = timbre(['runs', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.from).toBe('bundle');
    expect(r.stdout).toBe('[]\n');
    expect(r.stderr).toBe('');
    expect(r.loads.filter((url) => url.includes('/@tensorflow/'))).toEqual([]);
    expect(fs.existsSync(path.join(app, 'out/cli.lock'))).toBe(false);
    const again = builtAt();
    expect(timbre(['runs', 'list', '--json']).from).toBe('bundle');
    expect(builtAt()).toBe(again);
  });

  // A help text, a command that opens the store, a failing one and a rejected command line;
  // TIMBRE_FROM_SOURCES makes bin/timbre.mjs run the sources whatever the bundle.
  it.each(['--help', 'runs list --json', 'runs show 42', 'train --epochs many'])(
    'answers `timbre %s` as the sources do',
    (line) => {
      const args = line.split(' ');
      const sources = timbre(args, { sources: true });
      const bundle = timbre(args);
      expect(sources.from).toBe('sources');
      expect(bundle.from).toBe('bundle');
      expect({ code: bundle.code, stdout: bundle.stdout, stderr: bundle.stderr }).toEqual({
        code: sources.code,
        stdout: sources.stdout,
        stderr: sources.stderr,
      });
    },
  );

  it("trains in the bundle's worker threads exactly as in the sources'", async () => {
    const data = await tinyDataset();
    const train = [
      'train',
      '--preset',
      'seed-fc',
      '--dataset',
      'tiny',
      '--epochs',
      '1',
      '--features',
      'logmel',
      '--seconds',
      '0.5',
      '--n-mels',
      '16',
      '--max-per-family',
      '3',
      '--batch',
      '8',
      '--backend',
      'wasm',
      '--seed',
      '1',
      '--json',
    ];
    const results = [true, false].map((sources) => {
      const own = path.join(dir, sources ? 'home-sources' : 'home-bundle');
      const imported = timbre(['dataset', 'import', data, '--name', 'tiny'], { home: own });
      expect(imported.code, imported.stderr).toBe(0);
      // Features are computed in feature-worker threads, the model trained in a train-worker thread.
      const r = timbre(train, { sources, home: own });
      expect(r.code, r.stderr).toBe(0);
      expect(r.from).toBe(sources ? 'sources' : 'bundle');
      return outcome(r.stdout);
    });
    expect(results[1]!.status).toBe('finished');
    expect(results[1]).toEqual(results[0]);
  });

  it('is built again when a source or the build script changes, and answers as the sources now do', () => {
    build();
    // An edit of the usage text shows in the next answer.
    const cli = path.join(app, 'src-main/cli.ts');
    fs.writeFileSync(cli, fs.readFileSync(cli, 'utf8').replace('(every command takes --help)', '(edited)'));
    let before = builtAt();
    const edited = timbre(['--help']);
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.from).toBe('bundle');
    expect(edited.stdout).toContain('Usage: timbre <command> [options]      (edited)');
    expect(builtAt()).toBeGreaterThan(before);

    // A different size counts even when the file's time says it is older than the bundle.
    const paths = path.join(app, 'src-main/core/paths.ts');
    fs.appendFileSync(paths, '\n// edited\n');
    const old = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(paths, old, old);
    before = builtAt();
    expect(timbre(['--help']).from).toBe('bundle');
    expect(builtAt()).toBeGreaterThan(before);

    // The build's own recipe.
    fs.utimesSync(path.join(app, 'scripts/build-cli.mjs'), new Date(), new Date());
    before = builtAt();
    expect(timbre(['--help']).from).toBe('bundle');
    expect(builtAt()).toBeGreaterThan(before);
  });

  it('is built again when its manifest is damaged or lists a file that is gone', () => {
    const manifest = path.join(app, 'out/cli/manifest.json');
    const listed = JSON.parse(fs.readFileSync(manifest, 'utf8')) as {
      builtAt: number;
      sources: [string, number][];
    };
    listed.sources.push(['src-main/core/gone.ts', 10]);
    for (const text of ['{"builtAt": 1', 'null', JSON.stringify(listed)]) {
      fs.writeFileSync(manifest, text);
      const r = timbre(['--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.from, text).toBe('bundle');
      expect(builtAt(), text).toBeGreaterThan(listed.builtAt);
    }
  });

  it('runs the sources while another build holds the lock, and takes over the lock of a build that died', () => {
    const lock = path.join(app, 'out/cli.lock');
    fs.utimesSync(path.join(app, 'src-main/core/paths.ts'), new Date(), new Date());
    fs.writeFileSync(lock, '1\n');
    const waiting = timbre(['runs', 'list', '--json']);
    expect(waiting.code, waiting.stderr).toBe(0);
    expect(waiting.from).toBe('sources');
    expect(waiting.stdout).toBe('[]\n');
    expect(fs.existsSync(lock)).toBe(true);

    const longAgo = new Date(Date.now() - 5 * 60_000);
    fs.utimesSync(lock, longAgo, longAgo);
    expect(timbre(['runs', 'list', '--json']).from).toBe('bundle');
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('runs the sources, with their own error, when a source does not compile', () => {
    const paths = path.join(app, 'src-main/core/paths.ts');
    const good = fs.readFileSync(paths, 'utf8');
    fs.appendFileSync(paths, '\nexport const = ;\n');
    const broken = timbre(['--help']);
    const sources = timbre(['--help'], { sources: true });
    expect(broken.from).toBe('sources');
    expect(broken.code).not.toBe(0);
    expect({ code: broken.code, stdout: broken.stdout, stderr: broken.stderr }).toEqual({
      code: sources.code,
      stdout: sources.stdout,
      stderr: sources.stderr,
    });
    fs.writeFileSync(paths, good);
    expect(timbre(['--help']).from).toBe('bundle');
  });

  it('is not built, and the sources run, where a worker is named in a way the bundle cannot follow', () => {
    const pool = path.join(app, 'src-main/core/features/pool.ts');
    const good = fs.readFileSync(pool, 'utf8');
    const call = "siblingModule(import.meta.url, 'feature-worker')";
    expect(good).toContain(call);
    fs.writeFileSync(
      pool,
      good.replace(call, "siblingModule(import.meta.url, ['feature', 'worker'].join('-'))"),
    );
    const r = spawnSync(process.execPath, [path.join(app, 'scripts/build-cli.mjs')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "Could not build out/cli/: src-main/core/features/pool.ts calls siblingModule() other than as siblingModule(import.meta.url, 'name').\n",
    );
    expect(timbre(['--help']).from).toBe('sources');
    fs.writeFileSync(pool, good);
  });
});
