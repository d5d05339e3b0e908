// How much of an epoch the main side spends committing it to SQLite (target: under 1 %).
import { Workbench } from '../../src-main/core/workbench';
import type { RunRequest } from '../../src-main/shared/contract';
import { dbSharePct, trainAndWatch } from './app-run';
import { fmt, round } from './report';

export interface SqliteShareResult {
  model: string;
  epochs: number;
  valid_notes: number;
  epoch_seconds: number[];
  db_ms: number[];
  share_pct: number | null;
}

/**
 * Trains a shrunk seed LSTM for a few epochs through the app on data set `dataset` of `home`.
 * Its epochs are shorter than the presets' (hidden 64, 1 layer instead of 128 x 3) while the
 * commit (metrics, confusion, one prediction per validation note, checkpoint rows) is the same,
 * so the share it gives is an upper bound for the seed presets on the same data.
 */
export async function benchSqliteShare(opts: {
  home: string;
  dataset: string;
  quick: boolean;
  log: (line: string) => void;
}): Promise<{ result: SqliteShareResult; text: string }> {
  const epochs = opts.quick ? 2 : 3;
  const request: RunRequest = {
    preset: 'seed-lstm',
    dataset: opts.dataset,
    backend: 'wasm',
    overrides: { epochs, model: { hidden: 64, layers: 1 } },
  };
  const model = `seed-lstm shrunk to hidden 64, 1 layer, raw 100x160, ${epochs} epochs, wasm`;
  const wb = new Workbench({ home: opts.home });
  try {
    const valid = (await wb.getDataset(opts.dataset)).splits.valid?.notes ?? 0;
    const run = await trainAndWatch(wb, request, (e) =>
      opts.log(`  sqlite: epoch ${e.epoch}: ${fmt(e.seconds)} s, commit ${fmt(e.dbSeconds * 1000)} ms`),
    );
    const share = dbSharePct(run.epochs);
    const result: SqliteShareResult = {
      model,
      epochs: run.epochs.length,
      valid_notes: valid,
      epoch_seconds: run.epochs.map((e) => round(e.seconds)!),
      db_ms: run.epochs.map((e) => round(e.dbSeconds * 1000, 2)!),
      share_pct: round(share),
    };
    const text =
      `SQLite share of epoch time: ${fmt(share)} % (target < 1 %): sum of commit times ` +
      `${result.db_ms.map((v) => fmt(v)).join(' + ')} ms over epochs of ${result.epoch_seconds.map((v) => fmt(v)).join(' + ')} s\n` +
      `  (${model}; ${valid} validation notes written per epoch; the seed presets' longer epochs give a smaller share)`;
    return { result, text };
  } finally {
    await wb.close();
  }
}
