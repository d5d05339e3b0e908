// Test accuracy of the presets trained through the app over several seeds, on the default set (split
// by instrument) and on the cross-SoundFont split, next to the PyTorch reference where one exists
// (issues 3 and 14). Long: hours for 3 seeds at the presets' epochs; behind `--accuracy`.
import path from 'node:path';
import { renderDataset, readSplitRule } from '../../src-main/core/datasets/render/render-dataset';
import type { RenderPreset } from '../../src-main/core/datasets/render/plan';
import { PRESETS, PRESET_NAMES } from '../../src-main/core/training/config';
import { Workbench } from '../../src-main/core/workbench';
import type { PresetName } from '../../src-main/shared/training';
import { aggregate, diffCell, meanSd, pCell, type PresetAccuracy, type SeedRun } from './accuracy-stats';
import { trainAndWatch, type WatchedRun } from './app-run';
import { LSTM_REFERENCE, pytorchStatus, runReferenceAsync } from './pytorch';
import { fmt, round, table } from './report';

/** The presets measured when --presets is not given: the New-run form's first, the new models, the seed's. */
export const ACCURACY_PRESETS: readonly PresetName[] = [
  'logmel-mlp',
  'logmel-cnn2d',
  'logmel-crnn',
  'logmel-lstm',
  'seed-lstm',
];

/** The reference script's arguments for the presets it reproduces. */
export const REFERENCE_ARGS: Readonly<Record<PresetName, readonly string[]>> = {
  'seed-lstm': ['--features', 'raw'],
  'seed-blstm': ['--features', 'raw', '--bidirectional'],
  'logmel-lstm': ['--features', 'logmel'],
};

/** --presets checked: the names in order without repeats, or a one-line error naming the unknown ones. */
export function parsePresets(value: string): PresetName[] | { error: string } {
  const names = [...new Set(value.split(',').map((s) => s.trim()))].filter(Boolean);
  if (names.length === 0)
    return { error: `--presets needs preset names, e.g. ${ACCURACY_PRESETS.join(',')}` };
  const unknown = names.filter((n) => !PRESET_NAMES.includes(n));
  if (unknown.length) {
    return { error: `--presets: unknown ${unknown.join(', ')}; the presets are ${PRESET_NAMES.join(', ')}` };
  }
  return names;
}

/** The data sets --accuracy can train on: the default set (split by instrument), the cross-SoundFont split. */
export const ACCURACY_SETS = ['default', 'soundfont'] as const;
export type AccuracySetName = (typeof ACCURACY_SETS)[number];

/** --accuracy-sets checked: the names in the bench's order, or a one-line error naming the unknown ones. */
export function parseAccuracySets(value: string): AccuracySetName[] | { error: string } {
  const names = new Set(value.split(',').map((s) => s.trim()));
  names.delete('');
  const unknown = [...names].filter((n) => !(ACCURACY_SETS as readonly string[]).includes(n));
  if (unknown.length || names.size === 0) {
    return {
      error: `--accuracy-sets takes ${ACCURACY_SETS.join(', ')} or both${unknown.length ? `; not ${unknown.join(', ')}` : ''}`,
    };
  }
  return ACCURACY_SETS.filter((n) => names.has(n));
}

/** One data set's results. */
export interface AccuracySet {
  dataset: string;
  root: string;
  split_rule: string;
  presets: Record<PresetName, PresetAccuracy>;
}

export interface AccuracyResult {
  seeds: number[];
  /** --epochs, or null where each preset trained its own. */
  epochs: number | null;
  /** null when --accuracy-sets left that set out. */
  by_instrument: AccuracySet | null;
  by_soundfont: AccuracySet | null;
}

/** The cross-SoundFont set's name in the bench's home. */
const SOUNDFONT_DATASET = 'bench-soundfont';

/**
 * Each seed trains ours (worker thread, wasm, one core) and the reference (--threads 1,
 * OPENBLAS_NUM_THREADS=1, the other core) at the same time: the accuracies are what is compared,
 * their seconds only show roughly how long each takes. The cross-SoundFont set is rendered here,
 * once, at the default set's size.
 */
export async function benchAccuracy(opts: {
  home: string;
  work: string;
  /** The default set, already imported. */
  dataset: string;
  root: string;
  renderPreset: RenderPreset;
  presets: readonly PresetName[];
  seeds: number;
  /** The first seed (default 0): seeds firstSeed..firstSeed+seeds-1. */
  firstSeed?: number;
  /** Every run's epochs; undefined: each preset's own. */
  epochs?: number;
  /** The data sets to train on (default both). */
  sets?: readonly AccuracySetName[];
  log: (line: string) => void;
}): Promise<{ result: AccuracyResult; text: string }> {
  const torch = pytorchStatus();
  const seeds = Array.from({ length: opts.seeds }, (_, i) => (opts.firstSeed ?? 0) + i);
  const wb = new Workbench({ home: opts.home });
  try {
    const wanted = opts.sets ?? ACCURACY_SETS;
    const sets: [string, AccuracySet][] = [];
    if (wanted.includes('default')) {
      sets.push([
        'by instrument',
        emptySet(opts.dataset, opts.root, readSplitRule(opts.root) ?? 'by instrument'),
      ]);
    }
    if (wanted.includes('soundfont')) {
      opts.log(`  accuracy: rendering the ${opts.renderPreset} set split by SoundFont`);
      const sfRoot = path.join(opts.work, 'rendered-soundfont');
      const sf = await renderDataset({ out: sfRoot, preset: opts.renderPreset, splitBy: 'soundfont' });
      await wb.importDataset(sfRoot, SOUNDFONT_DATASET);
      sets.push(['by SoundFont', emptySet(SOUNDFONT_DATASET, sfRoot, sf.splitRule)]);
    }
    for (const [label, set] of sets) {
      for (const preset of opts.presets) {
        const epochs = opts.epochs ?? PRESETS[preset]!.config.epochs;
        const refArgs = REFERENCE_ARGS[preset] ?? null;
        const runs: SeedRun[] = [];
        for (const seed of seeds) {
          opts.log(
            `  accuracy ${label}: ${preset} seed ${seed}${refArgs ? ` and the reference (${refArgs.join(' ')})` : ''}, ${epochs} epoch${epochs === 1 ? '' : 's'}`,
          );
          const run = await runSeed(wb, torch, { set, preset, seed, epochs, refArgs, log: opts.log });
          // Each seed's result as it comes: a bench of hours stopped early keeps what it measured.
          opts.log(`    ${preset} seed ${seed} on the set ${label}: ${JSON.stringify(run)}`);
          runs.push(run);
        }
        set.presets[preset] = aggregate(preset, epochs, refArgs, runs);
      }
    }
    const result: AccuracyResult = {
      seeds,
      epochs: opts.epochs ?? null,
      by_instrument: sets.find(([label]) => label === 'by instrument')?.[1] ?? null,
      by_soundfont: sets.find(([label]) => label === 'by SoundFont')?.[1] ?? null,
    };
    return { result, text: sets.map(([, set]) => render(set, seeds, opts.epochs)).join('\n\n') };
  } finally {
    await wb.close();
  }
}

function emptySet(dataset: string, root: string, splitRule: string): AccuracySet {
  return { dataset, root, split_rule: splitRule, presets: {} };
}

// Ours and the reference at once for one seed. A failure of either side is kept as a note and a
// missing value, so one diverged run does not cost hours of others.
async function runSeed(
  wb: Workbench,
  torch: ReturnType<typeof pytorchStatus>,
  r: {
    set: AccuracySet;
    preset: PresetName;
    seed: number;
    epochs: number;
    refArgs: readonly string[] | null;
    log: (line: string) => void;
  },
): Promise<SeedRun> {
  const args = [
    'train',
    '--data',
    r.set.root,
    ...(r.refArgs ?? []),
    '--epochs',
    String(r.epochs),
    '--seconds',
    '1',
    '--seed',
    String(r.seed),
  ];
  const reference =
    r.refArgs && 'version' in torch
      ? runReferenceAsync(LSTM_REFERENCE, args, { threads: 1, openblasThreads: 1 })
      : Promise.resolve(null);
  // Observed at once, so a failure of one side leaves no unhandled rejection while the other runs.
  const settled = reference.then(
    (v) => ({ ok: true as const, v }),
    (err: Error) => ({ ok: false as const, err }),
  );
  const notes: string[] = [];
  let ours: WatchedRun | null = null;
  try {
    ours = await trainAndWatch(
      wb,
      {
        preset: r.preset,
        dataset: r.set.dataset,
        backend: 'wasm',
        overrides: { epochs: r.epochs, seed: r.seed },
      },
      (e) => r.log(`    ${r.preset} seed ${r.seed} epoch ${e.epoch}/${r.epochs}: ${fmt(e.seconds)} s`),
    );
  } catch (err) {
    notes.push(`ours failed: ${(err as Error).message}`);
  }
  const ref = await settled;
  if (r.refArgs && !('version' in torch)) notes.push(`PyTorch not measured, ${torch.note}`);
  if (!ref.ok) notes.push(`PyTorch failed: ${ref.err.message}`);
  const p = ref.ok ? ref.v : null;
  return {
    seed: r.seed,
    ours_best: ours ? round(ours.detail.testAccuracy, 4) : null,
    ours_last: ours ? round(ours.lastTestAccuracy, 4) : null,
    ours_best_epoch: ours?.detail.bestEpoch ?? null,
    ours_train_loss: ours ? ours.detail.history.map((h) => round(h.trainLoss, 4)!) : [],
    ours_seconds: ours
      ? round(
          ours.detail.history.reduce((s, h) => s + h.seconds, 0),
          1,
        )
      : null,
    pytorch: p ? Number(p.test_accuracy) : null,
    pytorch_train_loss: p ? (p.train_loss_per_epoch as number[]) : null,
    pytorch_seconds: p ? Number(p.train_seconds) : null,
    ...(notes.length ? { note: notes.join('; ') } : {}),
  };
}

function render(set: AccuracySet, seeds: number[], epochs: number | undefined): string {
  const all = Object.values(set.presets);
  const mean = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? v.reduce((s, x) => s + x, 0) / v.length : null;
  };
  const rows = all.map((p) => [
    p.preset,
    String(p.epochs),
    meanSd(p.ours_best),
    meanSd(p.ours_last),
    meanSd(p.pytorch),
    diffCell(p.comparison),
    pCell(p.comparison),
    `${fmt(mean(p.runs.map((r) => r.ours_seconds)))} / ${fmt(mean(p.runs.map((r) => r.pytorch_seconds)))}`,
  ]);
  const sentences = all.flatMap((p) => (p.comparison ? [`  ${p.preset}: ${p.comparison.sentence}.`] : []));
  const notes = all.flatMap((p) =>
    p.runs.flatMap((r) => (r.note ? [`  ${p.preset} seed ${r.seed}: ${r.note}`] : [])),
  );
  // The measured presets that average their last epochs, and over how many.
  const averaging = all
    .map((p) => [p.preset, PRESETS[p.preset]?.config.averageLast ?? 1] as const)
    .filter(([, n]) => n > 1)
    .map(([name, n]) => `${name}: ${n}`);
  const seedText = seeds.length === 1 ? `seed ${seeds[0]}` : `seeds ${seeds[0]}-${seeds[seeds.length - 1]}`;
  const epochText =
    epochs === undefined ? "each preset's epochs" : `${epochs} epoch${epochs === 1 ? '' : 's'} each`;
  return [
    `Test accuracy on the set split ${set.split_rule}`,
    `(${set.dataset}, ${set.root}): mean ± sd over ${seedText}, ${epochText}`,
    table(
      [
        'preset',
        'epochs',
        'ours (best ep.)',
        'ours (last)',
        'PyTorch (last)',
        'ours last - PyTorch [95 % CI]',
        'Welch p',
        'train s ours / PyTorch',
      ],
      rows,
    ),
    'Ours trained through the app (wasm); the reference is seed_lstm_reference.py train with the same features and seed,',
    'both at once on one core each (so the seconds are rough). "best ep." = the epoch of highest validation accuracy, the',
    'app\'s headline; "last" = the last model: the last epoch\'s weights, or their mean over the last epochs where a preset',
    `averages them${averaging.length ? ` (${averaging.join(', ')})` : ''}. The reference reports its last epoch, so ours last is what is compared (points, Welch's test):`,
    ...(sentences.length ? sentences : ['  (no preset here has a PyTorch reference)']),
    ...notes,
  ].join('\n');
}
