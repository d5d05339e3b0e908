// Training at two data-set sizes (issue 6): epoch time should grow with the notes, peak RSS should not.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { RunRequest } from '../../src-main/shared/contract';
import type { EpochTiming } from './app-run';
import { replicateDataset } from './replicate';
import { fmt, round, table } from './report';

/** Epoch 1 warms up (wasm kernels, page cache); the fastest later epoch is the least disturbed one. */
const EPOCHS = 3;
/** A fast model, so the time goes to the data path: the seed's MLP over the log-mel cache. */
const REQUEST: RunRequest = {
  preset: 'seed-fc',
  dataset: 'bench',
  backend: 'wasm',
  // normalization stays 'none': the cache the data-set part built (import + logmel) is reused.
  overrides: { epochs: EPOCHS, features: { representation: 'logmel' } },
};
const MODEL = `seed-fc (MLP 2 x 256) on 63x64 log-mel, wasm; ${EPOCHS} epochs, the fastest after the 1st timed`;

interface ChildResult {
  notes: number;
  trainNotes: number;
  epochs: EpochTiming[];
  dbSharePct: number | null;
  wallSeconds: number;
  peakRssMb: number;
}

export interface ScalePoint {
  notes: number;
  train_notes: number;
  /** The timed epoch (the fastest after the first): training and validation. */
  epoch_seconds: number;
  /** Every epoch's seconds, the first included. */
  all_epoch_seconds: number[];
  /** epoch_seconds per 1000 train notes. */
  seconds_per_1000_notes: number;
  train_samples_per_s: number;
  peak_rss_mb: number;
  db_share_pct: number | null;
}

export interface ScaleResult {
  model: string;
  points: ScalePoint[];
  notes_ratio: number | null;
  epoch_time_ratio: number | null;
  /** Time per train note at the larger size over that at the smaller: 1 is linear. */
  per_note_ratio: number | null;
  rss_ratio: number | null;
}

function child(script: string, args: string[]): string {
  return execFileSync(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, script), ...args],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 * 1024 * 1024,
    },
  );
}

/**
 * For each size, trains a few epochs in a fresh process over `work`/home-<size> (the data-set part's
 * import and log-mel cache of `work`/replicated-<size>, made here if that part did not run), so the
 * peak RSS is training's own.
 */
export function benchScale(opts: {
  work: string;
  root: string;
  sizes: number[];
  log: (line: string) => void;
}): { result: ScaleResult; text: string } {
  const points: ScalePoint[] = [];
  for (const size of opts.sizes) {
    const big = path.join(opts.work, `replicated-${size}`);
    const home = path.join(opts.work, `home-${size}`);
    if (!fs.existsSync(home)) {
      opts.log(`  scale: preparing ${size} notes (import + log-mel cache)`);
      if (!fs.existsSync(big)) replicateDataset(opts.root, big, size);
      child('rss-child.ts', [big, home, 'logmel']);
    }
    opts.log(`  scale: training on ${size} notes`);
    const out = child('train-child.ts', [home, JSON.stringify(REQUEST)]);
    const r = JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
    const later = r.epochs.length > 1 ? r.epochs.slice(1) : r.epochs;
    const e = later.reduce((best, x) => (x.seconds < best.seconds ? x : best));
    points.push({
      notes: r.notes,
      train_notes: r.trainNotes,
      epoch_seconds: round(e.seconds)!,
      all_epoch_seconds: r.epochs.map((x) => round(x.seconds)!),
      seconds_per_1000_notes: round((1000 * e.seconds) / r.trainNotes)!,
      train_samples_per_s: round(e.samplesPerSecond, 1)!,
      peak_rss_mb: round(r.peakRssMb, 1)!,
      db_share_pct: round(r.dbSharePct, 2),
    });
  }
  const [a, b] = [points[0], points[points.length - 1]];
  const ratio = (x?: number, y?: number) => (x && y && points.length > 1 ? round(y / x, 2) : null);
  const result: ScaleResult = {
    model: MODEL,
    points,
    notes_ratio: ratio(a?.notes, b?.notes),
    epoch_time_ratio: ratio(a?.epoch_seconds, b?.epoch_seconds),
    per_note_ratio: ratio(a?.seconds_per_1000_notes, b?.seconds_per_1000_notes),
    rss_ratio: ratio(a?.peak_rss_mb, b?.peak_rss_mb),
  };
  const rows = points.map((p) => [
    String(p.notes),
    String(p.train_notes),
    fmt(p.epoch_seconds),
    fmt(p.seconds_per_1000_notes),
    fmt(p.train_samples_per_s),
    fmt(p.peak_rss_mb),
  ]);
  if (points.length > 1) {
    rows.push([
      `ratio x${fmt(result.notes_ratio)}`,
      '',
      `x${fmt(result.epoch_time_ratio)}`,
      `x${fmt(result.per_note_ratio)}`,
      '',
      `x${fmt(result.rss_ratio)}`,
    ]);
  }
  const text = [
    `Training at scale: ${MODEL}, each size in a fresh process (features cached beforehand)`,
    table(['notes', 'train notes', 'epoch s', 's per 1000 notes', 'train samples/s', 'peak RSS MB'], rows),
    'Linear: epoch time (training + validation) grows like the notes, time per note stays (x1); peak RSS stays about flat.',
  ].join('\n');
  return { result, text };
}
