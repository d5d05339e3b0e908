import { exportReport, formatOfPath } from '../../core/reports/export';
import { REPORT_FORMATS } from '../../core/reports/types';
import { choiceFlag, intFlag, parseFlags, UsageError } from '../args';
import type { CliContext } from '../context';
import { printJson } from '../output';
import { parseRunId } from './runs';

export const REPORT_USAGE = `Usage:
  timbre report RUN_ID... --out FILE [--format html|md|csv|json|pdf] [--confusions N] [--examples N] [--json]
      Export runs as a report. --format defaults to the extension of FILE.
        html  one self-contained page (opens offline): summary, hyperparameters with differences
              marked, loss/accuracy curves, confusion matrices, per-family precision/recall/F1 and
              the most frequent confusions with playable example notes
        md    Markdown tables to paste into a paper or README
        csv   three files: FILE-runs.csv, FILE-epochs.csv, FILE-predictions.csv (FILE without .csv)
        json  everything recorded, with every note's predictions
        pdf   the HTML page printed by Chromium (TIMBRE_CHROMIUM, or chromium / google-chrome)
      --confusions N  confusions listed per run (default 5); --examples N  notes per confusion (default 3)`;

const human = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1024 ** 2).toFixed(1)} MB`;

/** `timbre report ...` */
export async function reportCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(
    argv,
    {
      out: { type: 'string', short: 'o' },
      format: { type: 'string', short: 'f' },
      confusions: { type: 'string' },
      examples: { type: 'string' },
      json: { type: 'boolean' },
    },
    REPORT_USAGE,
  );
  if (values.help || (positionals[0] === 'help' && positionals.length === 1))
    return console.log(REPORT_USAGE);
  if (!positionals.length) throw new UsageError(`Give one or more run ids.\n${REPORT_USAGE}`);
  const ids = positionals.map((p) => parseRunId(p, REPORT_USAGE));
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined)
    throw new UsageError(`Run ${twice} is given twice; give each run once.\n${REPORT_USAGE}`);
  if (!values.out) throw new UsageError(`--out FILE is required.\n${REPORT_USAGE}`);
  const format = choiceFlag(values.format, 'format', REPORT_FORMATS) ?? formatOfPath(values.out);
  if (!format) {
    throw new UsageError(
      `Cannot tell the format from "${values.out}"; give --format, one of ${REPORT_FORMATS.join(', ')}.\n${REPORT_USAGE}`,
    );
  }
  const confusions = intFlag(values.confusions, 'confusions', 0, 100, 5);
  const examples = intFlag(values.examples, 'examples', 0, 20, 3);

  const wb = ctx.workbench();
  for (const id of ids) {
    const run = await wb.getRun(id);
    if (run.status === 'running' || run.status === 'queued') {
      process.stderr.write(`Run ${id} is ${run.status}; the report shows what it has recorded so far.\n`);
    }
  }
  const result = await exportReport(wb, ids, format, values.out, { confusions, examples });
  if (values.json) return printJson(result);
  const runs = `run${ids.length === 1 ? '' : 's'} ${ids.join(', ')}`;
  if (result.files.length === 1) {
    const f = result.files[0]!;
    console.log(`Wrote the ${format} report of ${runs} to ${f.path} (${human(f.bytes)}).`);
  } else {
    console.log(`Wrote the ${format} report of ${runs} as ${result.files.length} files:`);
    for (const f of result.files) console.log(`  ${f.path} (${human(f.bytes)})`);
  }
}
