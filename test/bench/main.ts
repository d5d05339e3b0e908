// `npm run bench [-- flags]`: measures the app on this machine and prints tables, then one JSON
// object on the last line of stdout. Run `npm run bench -- --help` for the flags.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Workbench } from '../../src-main/core/workbench';
import { renderDataset } from '../../src-main/core/datasets/render/render-dataset';
import { ACCURACY_PRESETS, benchAccuracy, parseAccuracySets, parsePresets } from './accuracy';
import { benchCluster } from './cluster';
import { benchDatasets, type BenchRow } from './datasets';
import { benchNsynth } from './nsynth';
import { round } from './report';
import { benchScale } from './scale';
import { benchSqliteShare } from './sqlite-share';
import { benchUi } from './ui';
import { benchSweepThroughput } from './sweep-throughput';
import { benchThroughput } from './training';

const USAGE = `npm run bench -- [flags]
  --quick          tiny data set and fewer repeats (~2 min instead of ~10)
  --json           tables on stderr, only the JSON object on stdout
  --accuracy       also train presets over seeds on the default set and on a cross-SoundFont split,
                   next to the PyTorch reference where one exists (hours; off by default)
  --presets a,b    presets of --accuracy (default ${ACCURACY_PRESETS.join(',')})
  --seeds N        seeds 0..N-1 of each --accuracy preset (default 1; mean ± sd and Welch's test from 2)
  --first-seed K   start the seeds at K (K..K+N-1), to add seeds to a bench stopped early (default 0)
  --epochs N       epochs of every --accuracy run and reference (default: each preset's own)
  --accuracy-sets a,b  data sets of --accuracy: default (split by instrument), soundfont (the
                   cross-SoundFont split); default both
  --cluster        also time a sweep of 12 tiny runs on 1 vs 3 local cluster workers (hub, Redis;
                   needs redis-server; off by default)
  --nsynth         also a set of NSynth's size (305,979 notes, hard-linked copies of rendered ones):
                   import, log-mel cache, one epoch of the default preset trained by \`timbre
                   serve\`, peak RSS of each, the API's latency meanwhile (~12 min on 2 idle
                   cores, ~5 GB of disk in the temp folder, deleted after; off by default)
  --rounds N       repeats of each speed measurement, the median is reported (default 3, quick 2)
  --skip a,b       leave out parts: datasets, throughput, sqlite, scale, ui`;

const argv = process.argv.slice(2);
function option(name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return argv[i]!.includes('=') ? argv[i]!.slice(name.length + 1) : argv[i + 1];
}
/** A bad flag: one line on stderr, no stack trace, exit code 2. */
function refuse(message: string): never {
  process.stderr.write(`bench: ${message} (npm run bench -- --help)\n`);
  process.exit(2);
}
function count(name: string, fallback: number, least?: number): number;
function count(name: string, fallback: undefined): number | undefined;
function count(name: string, fallback: number | undefined, least = 1): number | undefined {
  const v = option(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < least)
    refuse(`${name} needs a whole number of at least ${least}, got "${v}"`);
  return n;
}

if (argv.includes('--help') || argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const quick = argv.includes('--quick');
const jsonOnly = argv.includes('--json');
const accuracy = argv.includes('--accuracy');
const cluster = argv.includes('--cluster');
const nsynth = argv.includes('--nsynth');
const epochs = count('--epochs', undefined);
const seeds = count('--seeds', 1);
const firstSeed = count('--first-seed', 0, 0);
const presetList = parsePresets(option('--presets') ?? ACCURACY_PRESETS.join(','));
if ('error' in presetList) refuse(presetList.error);
const accuracySets = parseAccuracySets(option('--accuracy-sets') ?? 'default,soundfont');
if ('error' in accuracySets) refuse(accuracySets.error);
const rounds = count('--rounds', quick ? 2 : 3);
const skip = new Set((option('--skip') ?? '').split(',').filter(Boolean));
const unknown = [...skip].filter((s) => !['datasets', 'throughput', 'sqlite', 'scale', 'ui'].includes(s));
if (unknown.length) refuse(`--skip knows datasets, throughput, sqlite, scale, ui; not ${unknown.join(', ')}`);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'timbre-bench-'));
const started = performance.now();

/** Tables: stdout, or stderr under --json so stdout carries the JSON alone. */
const say = (text: string) => (jsonOnly ? process.stderr : process.stdout).write(`${text}\n`);
/** Progress while a part runs, stamped with the time since the start. */
const log = (line: string) => {
  const t = Math.round((performance.now() - started) / 1000);
  process.stderr.write(`[${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}] ${line}\n`);
};

function print(rows: BenchRow[]): void {
  const width = Math.max(...rows.map((r) => r.what.length));
  for (const r of rows) {
    const value = r.value >= 100 ? r.value.toFixed(0) : r.value.toFixed(2);
    say(`${r.what.padEnd(width)}  ${value.padStart(9)} ${r.unit}${r.note ? `   (${r.note})` : ''}`);
  }
}

const load = () => os.loadavg().map((v) => round(v, 2));
const machine = {
  cores: os.availableParallelism(),
  node: process.version,
  loadavg_start: load(),
  loadavg_end: load(),
};
const preset = quick ? 'tiny' : 'default';
const sizes: [number, number] = quick ? [300, 3000] : [2000, 20000];
// The data-set part renders into work/rendered and registers it as "bench" in work/home; the parts
// after it train on that.
const root = path.join(work, 'rendered');
const home = path.join(work, 'home');
const result: Record<string, unknown> = {};
const partSeconds: Record<string, number> = {};
/** Runs one part, keeping its duration. */
async function part<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    partSeconds[name] = round((performance.now() - t0) / 1000, 1)!;
  }
}

try {
  say(
    `Timbre Workbench benchmark — ${machine.cores} cores, Node ${process.version}${quick ? ', quick' : ''}, ` +
      `load average ${machine.loadavg_start.join(' ')}\n`,
  );

  if (!skip.has('datasets')) {
    log('data sets: render, import, features, peak RSS');
    const datasets = await part('datasets', () => benchDatasets(work, preset, sizes));
    print(datasets.rows);
    result.datasets = {
      render_notes_per_s: datasets.render.notesPerSecond,
      render_realtime: datasets.render.realtimeFactor,
      rows: datasets.rows,
    };
    result.rss_mb = { import_logmel: datasets.rss };
  } else {
    log(`data sets: skipped; rendering the ${preset} set for the training parts`);
    await renderDataset({ out: root, preset });
    const wb = new Workbench({ home });
    await wb.importDataset(root, 'bench');
    await wb.close();
  }

  if (!skip.has('throughput')) {
    log('training speed: ours (wasm) and PyTorch, interleaved');
    const { result: t, text } = await part('throughput', () => benchThroughput({ rounds, quick, log }));
    say(`\n${text}`);
    const { lstm, blstm, cnn, ...about } = t;
    Object.assign(result, { lstm, blstm, cnn, throughput: about });
    // Issue 15's figures in one place: ours on 1 and 2 threads against PyTorch at its best setting.
    const models = { lstm, blstm, cnn };
    const each = <T>(f: (c: typeof lstm) => T) =>
      Object.fromEntries(Object.entries(models).map(([k, c]) => [k, f(c)]));
    result.workers = {
      threads: about.workers,
      speedup: each((c) => c.speedup_2_workers),
      ratio_vs_pytorch_best: each((c) => c.ratio_best),
    };
    log('sweep throughput: runs one at a time, two at a time, on two threads each');
    const sweeps = await part('sweeps', () => benchSweepThroughput({ home, dataset: 'bench', quick, log }));
    say(`\n${sweeps.text}`);
    result.sweeps = sweeps.result;
  }

  if (!skip.has('sqlite')) {
    log('SQLite share of epoch time');
    const { result: s, text } = await part('sqlite', () =>
      benchSqliteShare({ home, dataset: 'bench', quick, log }),
    );
    say(`\n${text}`);
    result.sqlite_share_pct = s.share_pct;
    result.sqlite = s;
  }

  if (!skip.has('scale')) {
    log('training at scale');
    const { result: s, text } = await part('scale', () => benchScale({ work, root, sizes, log }));
    say(`\n${text}`);
    const rss = (result.rss_mb ?? {}) as Record<string, unknown>;
    rss.training = Object.fromEntries(s.points.map((p) => [String(p.notes), p.peak_rss_mb]));
    rss.training_ratio = s.rss_ratio;
    result.rss_mb = rss;
    result.scale = s;
  }

  if (!skip.has('ui')) {
    log(
      'UI: runs table with 10,000 runs, compare view of 10 runs x 200 epochs, sweeps of 500 runs, group curves, parallel coordinates (Chromium)',
    );
    const u = await part('ui', () => benchUi(work));
    say('');
    print(u.rows);
    // Each *_ms by the page's clock until painted; *_playwright_ms as goto/waitFor saw it, beside
    // static_page_playwright_ms, what those steps cost for a static page.
    result.ui = {
      runs_table_ms: u.runsTable.ms,
      compare_ms: u.compare.ms,
      sweep_create_500_ms: u.sweepCreate.ms,
      runs_table_sweep_500_ms: u.sweepTable.ms,
      group_curves_20x5x200_ms: u.groupCurves.ms,
      parallel_coords_1000_ms: u.parallelMs,
      runs_table_playwright_ms: u.runsTable.playwrightMs,
      compare_playwright_ms: u.compare.playwrightMs,
      sweep_create_500_playwright_ms: u.sweepCreate.playwrightMs,
      runs_table_sweep_500_playwright_ms: u.sweepTable.playwrightMs,
      group_curves_20x5x200_playwright_ms: u.groupCurves.playwrightMs,
      static_page_playwright_ms: u.staticPageMs,
      target_ms: 300,
    };
  }

  if (accuracy) {
    log(
      `accuracy: ${presetList.join(', ')} x ${seeds} seed${seeds === 1 ? '' : 's'} x ${accuracySets.join(' and ')} set${accuracySets.length === 1 ? '' : 's'}, ` +
        `${epochs === undefined ? "each preset's epochs" : `${epochs} epoch${epochs === 1 ? '' : 's'}`}`,
    );
    const { result: a, text } = await part('accuracy', () =>
      benchAccuracy({
        home,
        work,
        dataset: 'bench',
        root,
        renderPreset: preset,
        presets: presetList,
        seeds,
        firstSeed,
        epochs,
        sets: accuracySets,
        log,
      }),
    );
    say(`\n${text}`);
    result.accuracy = a;
  } else {
    result.accuracy = null;
    say(
      '\nAccuracy next to PyTorch: not run (add --accuracy with --seeds N; --epochs N or --presets a,b shorten it; hours in full).',
    );
  }

  if (cluster) {
    log('cluster mode: a sweep of 12 tiny runs on 1, then 3 local workers');
    const { result: c, text } = await part('cluster', () => benchCluster({ work, log }));
    say(`\n${text}`);
    result.cluster = c;
  } else {
    result.cluster = null;
  }

  if (nsynth) {
    log('NSynth scale: import, log-mel cache, an epoch of the default preset; timbre serve meanwhile');
    const { result: n, text } = await part('nsynth', () => benchNsynth({ work, root, log }));
    say(`\n${text}`);
    result.nsynth = n;
  } else {
    result.nsynth = null;
  }

  machine.loadavg_end = load();
  const seconds = (performance.now() - started) / 1000;
  say(`\nLoad average at the end ${machine.loadavg_end.join(' ')}; ${seconds.toFixed(0)} s in all.`);
  console.log(
    JSON.stringify({ ...result, machine, quick, seconds: round(seconds, 1), part_seconds: partSeconds }),
  );
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
