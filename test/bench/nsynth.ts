// The whole NSynth on one machine (issue 15): a set of NSynth's split sizes made of hard-linked
// copies of rendered notes, imported (`timbre dataset import`), its log-mel cache built (`timbre
// features`), each in a fresh process whose peak RSS is kept, then one epoch of the default preset
// trained by `timbre serve` on that home, as the New-run form asks it (the process that holds the
// queue trains its runs), while the runs table's and the data-set page's API calls are timed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Workbench } from '../../src-main/core/workbench';
import type { Split } from '../../src-main/shared/constants';
import { ACTIVE_STATUSES, type RunDetail, type RunSummary } from '../../src-main/shared/training';
import { replicateDataset } from './replicate';
import { fmt, round, table } from './report';
import {
  callApi,
  livePeakRssMb,
  METHODS,
  pollApi,
  resetPeakRss,
  startServe,
  type Latency,
  type Method,
  type Served,
} from './serve-probe';

/** NSynth's own split sizes. */
export const NSYNTH_NOTES: Record<Split, number> = { train: 289_205, valid: 12_678, test: 4_096 };
/** The New-run form's default preset. */
const PRESET = 'logmel-mlp';
/** What the issue allows each process at this scale. */
const RSS_LIMIT_MB = 1500;
const DATASET = 'nsynth';
const STEPS = ['import', 'cache', 'train'] as const;
type Step = (typeof STEPS)[number];

/** The part's figures; a step that failed leaves its own and the later ones null (see `failed`). */
export interface NsynthResult {
  notes: Record<Split, number>;
  source_notes: number | null;
  /** Writing the hard-linked set (examples.json per split and one link per note). */
  make_set_seconds: number | null;
  import_seconds: number | null;
  import_notes_per_s: number | null;
  import_peak_rss_mb: number | null;
  cache_seconds: number | null;
  cache_bytes: number | null;
  cache_peak_rss_mb: number | null;
  train: {
    preset: string;
    backend: string | null;
    /** The epoch as the run recorded it: training and the validation pass. */
    epoch_seconds: number | null;
    train_samples_per_s: number | null;
    /** createRun to the run's end: the worker's start, the epoch, the test evaluation. */
    run_seconds: number | null;
    /** timbre serve's peak while it trained (peak reset before the run; Linux only, else null). */
    peak_rss_mb: number | null;
  };
  /** timbre serve's peak while the import and the cache were built (Linux only, else null). */
  serve_peak_rss_mb: number | null;
  /** Each API call of the runs table and the data-set page while each step ran. */
  api_ms: Record<Step, Record<Method, Latency>> | null;
  api_failures: number | null;
  /** Every peak measured under 1,500 MB (false as well when a step failed). */
  every_peak_rss_under_1500_mb: boolean;
  /** The step that failed and why; null when all ran. */
  failed: string | null;
}

interface ChildOut {
  peakRssMb: number;
  [key: string]: unknown;
}

/** A `timbre` command through nsynth-child.ts with TIMBRE_HOME=home; resolves with its last stdout line, parsed. */
function timbre(home: string, args: string[]): Promise<ChildOut> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, 'nsynth-child.ts'), ...args],
      { env: { ...process.env, TIMBRE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // Progress bars redraw many times; only the end is kept, for the message of a failure.
    p.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    p.on('error', reject);
    p.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      try {
        const parsed = JSON.parse(last) as ChildOut & { code?: number };
        if (code === 0 && (parsed.code ?? 0) === 0) return resolve(parsed);
      } catch {
        // Reported below with what the child said.
      }
      reject(new Error(`timbre ${args.slice(0, 2).join(' ')} exited ${code}: ${err.trim().slice(-1500)}`));
    });
  });
}

/** Total bytes of the files under a folder. */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return total;
}

/**
 * The NSynth-scale part: `root` is a rendered set to copy notes from; everything it makes goes under
 * `work`/nsynth and is deleted at the end.
 */
export async function benchNsynth(opts: {
  work: string;
  root: string;
  log: (line: string) => void;
}): Promise<{ result: NsynthResult; text: string }> {
  const dir = path.join(opts.work, 'nsynth');
  const set = path.join(dir, 'set');
  const home = path.join(dir, 'home');
  const r: NsynthResult = {
    notes: NSYNTH_NOTES,
    source_notes: null,
    make_set_seconds: null,
    import_seconds: null,
    import_notes_per_s: null,
    import_peak_rss_mb: null,
    cache_seconds: null,
    cache_bytes: null,
    cache_peak_rss_mb: null,
    train: {
      preset: PRESET,
      backend: null,
      epoch_seconds: null,
      train_samples_per_s: null,
      run_seconds: null,
      peak_rss_mb: null,
    },
    serve_peak_rss_mb: null,
    api_ms: null,
    api_failures: null,
    every_peak_rss_under_1500_mb: false,
    failed: null,
  };
  let serve: Served['proc'] | undefined;
  let poll: ReturnType<typeof pollApi> | undefined;
  let step: Step | 'set' = 'set';
  const peaks: number[] = [];
  try {
    opts.log('  nsynth: making the set (hard links)');
    let t0 = performance.now();
    const total = replicateDataset(opts.root, set, NSYNTH_NOTES);
    r.make_set_seconds = round((performance.now() - t0) / 1000, 1);

    // The rendered set registered as the default one beforehand, so that serve does not render it
    // (minutes of CPU) while the steps are timed.
    const wb = new Workbench({ home });
    const source = await wb.importDataset(opts.root, 'default');
    await wb.close();
    r.source_notes = Object.values(source.splits).reduce((sum, s) => sum + (s?.notes ?? 0), 0);
    const server = await startServe(home);
    serve = server.proc;
    step = 'import';
    poll = pollApi(
      server,
      STEPS,
      () => (step === 'set' ? 'import' : step),
      () =>
        // The data set's details, once the import registered it.
        step === 'import' || step === 'set' ? null : DATASET,
    );

    opts.log(`  nsynth: timbre dataset import (${total} notes)`);
    const imported = await timbre(home, ['dataset', 'import', set, '--name', DATASET, '--json']);
    r.import_seconds = round(imported.seconds as number, 1);
    r.import_notes_per_s = round(total / (imported.seconds as number), 0);
    r.import_peak_rss_mb = round(imported.peakRssMb, 0);
    peaks.push(imported.peakRssMb);

    step = 'cache';
    opts.log('  nsynth: timbre features (log-mel, standard: the preset cache)');
    const cache = await timbre(home, [
      'features',
      '--dataset',
      DATASET,
      '--features',
      'logmel',
      '--normalization',
      'standard',
      '--json',
    ]);
    r.cache_seconds = round(cache.seconds as number, 1);
    r.cache_bytes = bytesUnder(path.join(home, 'features'));
    r.cache_peak_rss_mb = round(cache.peakRssMb, 0);
    peaks.push(cache.peakRssMb);

    step = 'train';
    opts.log(`  nsynth: one epoch of ${PRESET}, trained by timbre serve`);
    const servePeak = livePeakRssMb(serve.pid!);
    r.serve_peak_rss_mb = round(servePeak, 0);
    if (servePeak !== null) peaks.push(servePeak);
    const reset = resetPeakRss(serve.pid!);
    t0 = performance.now();
    const created = await callApi<RunSummary>(server, 'createRun', [
      { preset: PRESET, dataset: DATASET, overrides: { epochs: 1 } },
    ]);
    let run: RunDetail;
    for (;;) {
      await new Promise((res) => setTimeout(res, 1000));
      run = await callApi<RunDetail>(server, 'getRun', [created.id]);
      if (!(ACTIVE_STATUSES as readonly string[]).includes(run.status)) break;
    }
    r.train.run_seconds = round((performance.now() - t0) / 1000, 1);
    const trainPeak = reset ? livePeakRssMb(serve.pid!) : null;
    r.train.peak_rss_mb = round(trainPeak, 0);
    if (trainPeak !== null) peaks.push(trainPeak);
    r.train.backend = run.backend;
    const epoch = run.history[0];
    if (run.status !== 'finished' || !epoch) {
      throw new Error(`The ${PRESET} run ended ${run.status}: ${run.error ?? 'no reason given'}`);
    }
    r.train.epoch_seconds = round(epoch.seconds, 1);
    r.train.train_samples_per_s = round(epoch.samplesPerSecond, 0);
    r.every_peak_rss_under_1500_mb = peaks.every((p) => p < RSS_LIMIT_MB);
  } catch (err) {
    r.failed = `${step}: ${(err as Error).message}`;
    opts.log(`  nsynth: the ${step} step failed: ${(err as Error).message}`);
  } finally {
    if (poll) {
      const { api, failures } = await poll.stop();
      r.api_ms = api;
      r.api_failures = failures;
    }
    if (serve && serve.exitCode === null) {
      const exited = new Promise((res) => serve!.once('exit', res));
      serve.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { result: r, text: report(r) };
}

function report(r: NsynthResult): string {
  const n = r.notes;
  const mb = (v: number | null) => (v === null ? '-' : `${fmt(v, 4)} MB`);
  const steps = table(
    ['step (fresh process each)', 'seconds', 'rate', 'peak RSS'],
    [
      [
        `timbre dataset import, ${n.train + n.valid + n.test} notes`,
        fmt(r.import_seconds),
        `${fmt(r.import_notes_per_s)} notes/s`,
        mb(r.import_peak_rss_mb),
      ],
      [
        `timbre features, log-mel cache ${r.cache_bytes === null ? '-' : fmt(r.cache_bytes / 1e9)} GB`,
        fmt(r.cache_seconds),
        '',
        mb(r.cache_peak_rss_mb),
      ],
      [
        `${r.train.preset}, 1 epoch trained by timbre serve`,
        fmt(r.train.epoch_seconds),
        `${fmt(r.train.train_samples_per_s)} samples/s`,
        mb(r.train.peak_rss_mb),
      ],
      ['timbre serve during import and cache', '', '', mb(r.serve_peak_rss_mb)],
    ],
  );
  const api = table(
    ['API call while', 'listRuns med/max ms', 'listDatasets med/max ms', 'getDataset med/max ms'],
    STEPS.map((s) => [
      s,
      ...METHODS.map((m) => {
        const l = r.api_ms?.[s][m];
        return l?.calls ? `${fmt(l.median_ms)} / ${fmt(l.max_ms)}` : '-';
      }),
    ]),
  );
  return [
    `NSynth scale: train ${n.train}, valid ${n.valid}, test ${n.test} notes, hard-linked copies of ` +
      `${r.source_notes} rendered notes (set made in ${fmt(r.make_set_seconds)} s)`,
    steps,
    `The epoch: training and validation as the run recorded it (${r.train.backend ?? '?'}), a whole one, not ` +
      `extrapolated; the run (worker start, epoch, test evaluation) ${fmt(r.train.run_seconds)} s.`,
    `Every peak RSS under ${RSS_LIMIT_MB} MB: ${r.every_peak_rss_under_1500_mb ? 'yes' : 'NO'}.` +
      (r.failed ? ` Partial: the ${r.failed}` : ''),
    '',
    `timbre serve on that home meanwhile (the runs table's and the data-set page's calls, one after another)` +
      `${r.api_failures ? `; ${r.api_failures} calls failed` : ''}:`,
    api,
  ].join('\n');
}
