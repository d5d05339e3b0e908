// Test accuracy of the seed LSTM presets trained through the app next to the PyTorch reference on
// the same rendered root (issue 3). Long: tens of minutes at 20 epochs; behind `--accuracy`.
import { Workbench } from '../../src-main/core/workbench';
import type { PresetName } from '../../src-main/shared/training';
import { trainAndWatch } from './app-run';
import { LSTM_REFERENCE, pytorchStatus, runReferenceAsync } from './pytorch';
import { fmt, round, table } from './report';

export interface AccuracyPair {
  preset: PresetName;
  epochs: number;
  /** Ours, best epoch's weights (by validation loss): the app's headline test accuracy. */
  ours_best: number | null;
  /** Ours, last epoch's weights: what the reference reports. */
  ours_last: number | null;
  ours_best_epoch: number | null;
  ours_train_loss: number[];
  ours_seconds: number;
  pytorch: number | null;
  pytorch_train_loss: number[] | null;
  pytorch_seconds: number | null;
  note?: string;
}

const PAIRS: { key: string; preset: PresetName; features: 'raw' | 'logmel' }[] = [
  { key: 'seed_lstm', preset: 'seed-lstm', features: 'raw' },
  { key: 'logmel_lstm', preset: 'logmel-lstm', features: 'logmel' },
];

/**
 * Each pair trains ours (worker thread, wasm, one core) and the reference (--threads 1,
 * OPENBLAS_NUM_THREADS=1, the other core) at the same time: the accuracies are what is compared,
 * their seconds only show roughly how long each takes.
 */
export async function benchAccuracy(opts: {
  home: string;
  dataset: string;
  root: string;
  epochs: number;
  log: (line: string) => void;
}): Promise<{ result: Record<string, AccuracyPair>; text: string }> {
  const torch = pytorchStatus();
  const result: Record<string, AccuracyPair> = {};
  const wb = new Workbench({ home: opts.home });
  try {
    for (const pair of PAIRS) {
      opts.log(
        `  accuracy: ${pair.preset} and the reference (--features ${pair.features}), ${opts.epochs} epoch${opts.epochs === 1 ? '' : 's'}`,
      );
      const stop = new AbortController();
      const reference =
        'version' in torch
          ? runReferenceAsync(
              LSTM_REFERENCE,
              [
                'train',
                '--data',
                opts.root,
                '--features',
                pair.features,
                '--epochs',
                String(opts.epochs),
                '--seconds',
                '1',
              ],
              { threads: 1, openblasThreads: 1 },
              stop.signal,
            )
          : Promise.resolve(null);
      // Keep a failure of one side from leaving the other's promise unobserved.
      const settled = reference.then(
        (r) => ({ ok: true as const, r }),
        (err: Error) => ({ ok: false as const, err }),
      );
      const ours = await trainAndWatch(
        wb,
        { preset: pair.preset, dataset: opts.dataset, backend: 'wasm', overrides: { epochs: opts.epochs } },
        (e) => opts.log(`    ${pair.preset} epoch ${e.epoch}/${opts.epochs}: ${fmt(e.seconds)} s`),
      ).catch((err: unknown) => {
        stop.abort(); // no orphaned reference training on after ours failed
        throw err;
      });
      const oursSeconds = ours.detail.history.reduce((s, h) => s + h.seconds, 0);
      const ref = await settled;
      const r = ref.ok ? ref.r : null;
      result[pair.key] = {
        preset: pair.preset,
        epochs: opts.epochs,
        ours_best: round(ours.detail.testAccuracy, 4),
        ours_last: round(ours.lastTestAccuracy, 4),
        ours_best_epoch: ours.detail.bestEpoch,
        ours_train_loss: ours.detail.history.map((h) => round(h.trainLoss, 4)!),
        ours_seconds: round(oursSeconds, 1)!,
        pytorch: r ? Number(r.test_accuracy) : null,
        pytorch_train_loss: r ? (r.train_loss_per_epoch as number[]) : null,
        pytorch_seconds: r ? Number(r.train_seconds) : null,
        ...(!('version' in torch) ? { note: torch.note } : !ref.ok ? { note: ref.err.message } : {}),
      };
    }
  } finally {
    await wb.close();
  }
  const pct = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(1)} %`);
  const loss = (l: number[] | null) => (l?.length ? `${fmt(l[0])} -> ${fmt(l[l.length - 1])}` : '-');
  const rows = Object.values(result).map((p) => [
    p.preset,
    pct(p.ours_best),
    pct(p.ours_last),
    pct(p.pytorch),
    loss(p.ours_train_loss),
    loss(p.pytorch_train_loss),
    `${fmt(p.ours_seconds)} / ${fmt(p.pytorch_seconds)}`,
  ]);
  const notes = Object.values(result).flatMap((p) =>
    p.note ? [`  ${p.preset}: PyTorch not measured, ${p.note}`] : [],
  );
  const text = [
    `Test accuracy after ${opts.epochs} epochs on ${opts.root}`,
    table(
      [
        'preset',
        'ours (best ep.)',
        'ours (last ep.)',
        'PyTorch (last)',
        'ours train loss',
        'PyTorch train loss',
        'train s ours / PyTorch',
      ],
      rows,
    ),
    'Ours trained through the app (wasm); the reference is seed_lstm_reference.py train with the same features,',
    'both at once on one core each (so the seconds are rough). "best ep." = highest validation accuracy, the app\'s headline.',
    ...notes,
  ].join('\n');
  return { result, text };
}
