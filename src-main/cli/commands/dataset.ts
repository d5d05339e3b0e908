import { watchProgress } from '../progress';
import { intFlag, choiceFlag, parseFlags, UsageError } from '../args';
import { describeDataset, printJson, splitTable, table } from '../output';
import type { CliContext } from '../context';
import { SPLIT_BYS } from '../../core/datasets/render/plan';

export const DATASET_USAGE = `Usage:
  timbre dataset render --out DIR [--preset tiny|default] [--seed N] [--soundfont FILE ...]
                        [--split-by instrument|soundfont] [--held-out-font NAME] [--json]
      Render single notes from General MIDI SoundFonts into NSynth's json/wav layout. Split by
      instrument (default, as NSynth) or by SoundFont: train on all fonts but one, valid and test on it.
  timbre dataset import DIR [--name NAME] [--json]
      Register an NSynth json/wav root (nsynth-train/-valid/-test); bad files are listed, not fatal.
  timbre dataset list [--json]
      The registered data sets.
  timbre dataset show ID|NAME [--json]
      Notes per split per family, fingerprint and skipped files of one data set.
  timbre dataset default [--split-by instrument|soundfont] [--json]
      Render (once) and register the built-in default data set under TIMBRE_HOME (split by
      soundfont: its twin default-by-soundfont).`;

/** `timbre dataset ...` */
export async function datasetCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'render':
      return render(ctx, rest);
    case 'import':
      return importCmd(ctx, rest);
    case 'list':
      return list(ctx, rest);
    case 'show':
      return show(ctx, rest);
    case 'default':
      return defaultCmd(ctx, rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      console.log(DATASET_USAGE);
      return;
    default:
      throw new UsageError(`Unknown command "dataset ${sub}".\n${DATASET_USAGE}`);
  }
}

async function render(ctx: CliContext, argv: string[]): Promise<void> {
  const usage = DATASET_USAGE.split('\n').slice(1, 5).join('\n');
  const { values, positionals } = parseFlags(
    argv,
    {
      out: { type: 'string' },
      preset: { type: 'string' },
      seed: { type: 'string' },
      soundfont: { type: 'string', multiple: true },
      'split-by': { type: 'string' },
      'held-out-font': { type: 'string' },
      json: { type: 'boolean' },
    },
    usage,
  );
  if (values.help) return console.log(usage);
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".\n${usage}`);
  if (!values.out) throw new UsageError(`--out DIR is required.\n${usage}`);
  const preset = choiceFlag(values.preset, 'preset', ['tiny', 'default'] as const, 'default');
  const seed = intFlag(values.seed, 'seed', 0, 2 ** 31 - 1, 0);
  const splitBy = choiceFlag(values['split-by'], 'split-by', SPLIT_BYS, 'instrument');
  const heldOutFont = values['held-out-font'];
  if (heldOutFont !== undefined && splitBy !== 'soundfont') {
    throw new UsageError(`--held-out-font needs --split-by soundfont.\n${usage}`);
  }
  const wb = ctx.workbench();
  const stop = watchProgress(wb);
  try {
    const summary = await wb.renderDataset({
      out: values.out,
      preset,
      seed,
      soundfonts: values.soundfont,
      splitBy,
      heldOutFont,
    });
    stop();
    if (values.json) return printJson(summary);
    console.log(
      `Rendered ${summary.notes} notes of ${summary.instruments} instruments into ${summary.out} ` +
        `in ${summary.seconds.toFixed(1)} s (${summary.notesPerSecond.toFixed(1)} notes/s, ` +
        `${summary.realtimeFactor.toFixed(0)}x real time); ${summary.silent} silent notes skipped.\n`,
    );
    console.log(`Split ${summary.splitRule}.\n`);
    console.log(splitTable(summary.splits));
    console.log(`\nRegister it with: timbre dataset import ${summary.out}`);
  } finally {
    stop();
    stop();
  }
}

async function importCmd(ctx: CliContext, argv: string[]): Promise<void> {
  const usage = DATASET_USAGE.split('\n').slice(5, 7).join('\n');
  const { values, positionals } = parseFlags(
    argv,
    { name: { type: 'string' }, json: { type: 'boolean' } },
    usage,
  );
  if (values.help) return console.log(usage);
  if (positionals.length !== 1) throw new UsageError(`Give exactly one folder to import.\n${usage}`);
  const wb = ctx.workbench();
  const stop = watchProgress(wb);
  try {
    const summary = await wb.importDataset(positionals[0]!, values.name);
    stop();
    if (values.json) return printJson(summary);
    console.log(describeDataset(summary));
  } finally {
    stop();
    stop();
  }
}

async function list(ctx: CliContext, argv: string[]): Promise<void> {
  const usage = DATASET_USAGE.split('\n').slice(7, 9).join('\n');
  const { values } = parseFlags(argv, { json: { type: 'boolean' } }, usage);
  if (values.help) return console.log(usage);
  const all = await ctx.workbench().listDatasets();
  if (values.json) return printJson(all);
  if (!all.length) {
    console.log(
      'No data sets yet. `timbre dataset default` renders the built-in one; `timbre dataset import DIR` adds NSynth.',
    );
    return;
  }
  const count = (d: (typeof all)[number], s: 'train' | 'valid' | 'test') => d.splits[s]?.notes ?? 0;
  console.log(
    table(
      ['id', 'name', 'train', 'valid', 'test', 'skipped', 'fingerprint', 'root'],
      all.map((d) => [
        d.id,
        d.name,
        count(d, 'train'),
        count(d, 'valid'),
        count(d, 'test'),
        d.skipped.length,
        d.fingerprint.slice(0, 12),
        d.root,
      ]),
    ),
  );
}

async function show(ctx: CliContext, argv: string[]): Promise<void> {
  const usage = DATASET_USAGE.split('\n').slice(9, 11).join('\n');
  const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } }, usage);
  if (values.help) return console.log(usage);
  if (positionals.length !== 1) throw new UsageError(`Give one data set id or name.\n${usage}`);
  const summary = await ctx.workbench().getDataset(positionals[0]!);
  if (values.json) return printJson(summary);
  console.log(describeDataset(summary));
}

async function defaultCmd(ctx: CliContext, argv: string[]): Promise<void> {
  const usage = DATASET_USAGE.split('\n').slice(11, 14).join('\n');
  const { values } = parseFlags(argv, { 'split-by': { type: 'string' }, json: { type: 'boolean' } }, usage);
  if (values.help) return console.log(usage);
  const splitBy = choiceFlag(values['split-by'], 'split-by', SPLIT_BYS, 'instrument');
  const summary = await ctx.defaultDataset(splitBy);
  if (values.json) return printJson(summary);
  console.log(describeDataset(summary));
}
