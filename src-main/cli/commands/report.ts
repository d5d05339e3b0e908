import path from 'node:path';
import type { ExportResult } from '../../core/reports/export';
import { groupReportFileName } from '../../core/workbench/reports';
import type { GroupRequest } from '../../shared/group-compare';
import {
  formatOfPath,
  REPORT_FORMAT_LIST,
  REPORT_FORMATS,
  type ReportFormatId,
} from '../../core/reports/registry';
import { choiceFlag, intFlag, parseFlags, UsageError } from '../args';
import type { CliContext } from '../context';
import { isActive } from '../../shared/training';
import { printJson } from '../output';
import { parseGroupBy, parseMetric, parseRunId, parseTest } from './runs';
import { parseSweepId } from './sweep';

// A format's description wrapped under its id, continuation lines aligned with its first.
function describeFormat(id: string, text: string, width = 100): string {
  const indent = ' '.repeat(14);
  const lines: string[] = [];
  let line = `        ${id.padEnd(5)} `;
  for (const word of text.split(' ')) {
    if (line.trim() && line.length + word.length > width && line.length > indent.length) {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += `${word} `;
  }
  return [...lines, line.trimEnd()].join('\n');
}

export const REPORT_USAGE = `Usage:
  timbre report RUN_ID... --out FILE [--format ${REPORT_FORMATS.join('|')}] [--confusions N] [--examples N] [--json]
      Export runs as a report. --format defaults to the extension of FILE.
${REPORT_FORMAT_LIST.map((f) => describeFormat(f.id, f.description)).join('\n')}
      --confusions N  confusions listed per run (default 5); --examples N  notes per confusion (default 3)
  timbre report --sweep ID --out FILE [--format ${REPORT_FORMATS.join('|')}] [--json]
      Export a sweep as a report: its search space, every run's settings and results, each
      configuration's mean ± sd over its seeds, and the best configuration.
  timbre report --group-by configuration|sweep|KEY[,KEY] (ID... | --sweep ID) [--metric NAME] [--test welch|bootstrap]
                --format ${REPORT_FORMATS.join('|')} [--out FILE] [--json]
      Export groups of runs (the given ones, or a sweep's) as a report: each group's n, mean ± sd,
      95 % CI and range of the metric (default test_accuracy), every pair tested (default welch) and
      said in a sentence, the settings' importance, parallel coordinates, the groups' validation
      curves and the notes the runs get wrong most often (HTML: playable). --out defaults to
      timbre-groups-sweep-ID.EXT or timbre-groups-runs-IDS.EXT in the current folder.`;

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
      sweep: { type: 'string' },
      'group-by': { type: 'string' },
      metric: { type: 'string' },
      test: { type: 'string' },
      confusions: { type: 'string' },
      examples: { type: 'string' },
      json: { type: 'boolean' },
    },
    REPORT_USAGE,
  );
  if (values.help || (positionals[0] === 'help' && positionals.length === 1))
    return console.log(REPORT_USAGE);
  const grouped =
    values['group-by'] !== undefined || values.metric !== undefined || values.test !== undefined;
  if (grouped) return groupReport(ctx, values, positionals);
  if (values.sweep !== undefined) return sweepReport(ctx, values, positionals);
  if (!positionals.length) throw new UsageError(`Give one or more run ids, or --sweep ID.\n${REPORT_USAGE}`);
  const ids = positionals.map((p) => parseRunId(p, REPORT_USAGE));
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined)
    throw new UsageError(`Run ${twice} is given twice; give each run once.\n${REPORT_USAGE}`);
  const format = formatOf(values);
  const confusions = intFlag(values.confusions, 'confusions', 0, 100, 5);
  const examples = intFlag(values.examples, 'examples', 0, 20, 3);

  const wb = ctx.workbench();
  for (const id of ids) {
    const run = await wb.getRun(id);
    if (isActive(run.status)) {
      process.stderr.write(`Run ${id} is ${run.status}; the report shows what it has recorded so far.\n`);
    }
  }
  const result = await wb.writeReport(ids, format, values.out!, { confusions, examples });
  if (values.json) return printJson(result);
  printWritten(result, `run${ids.length === 1 ? '' : 's'} ${ids.join(', ')}`);
}

type ReportFlags = { out?: string; format?: string; confusions?: string; examples?: string; json?: boolean };

// The format asked for, or the one --out's extension names; --out is required.
function formatOf(values: ReportFlags): ReportFormatId {
  if (!values.out) throw new UsageError(`--out FILE is required.\n${REPORT_USAGE}`);
  const format = choiceFlag(values.format, 'format', REPORT_FORMATS) ?? formatOfPath(values.out);
  if (!format) {
    throw new UsageError(
      `Cannot tell the format from "${values.out}"; give --format, one of ${REPORT_FORMATS.join(', ')}.\n${REPORT_USAGE}`,
    );
  }
  return format;
}

// `timbre report --sweep ID ...`: a sweep's report instead of runs'.
async function sweepReport(
  ctx: CliContext,
  values: ReportFlags & { sweep?: string },
  positionals: string[],
): Promise<void> {
  if (positionals.length) throw new UsageError(`Give run ids or --sweep ID, not both.\n${REPORT_USAGE}`);
  const text = values.sweep!;
  const id = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(id) || id < 1)
    throw new UsageError(`A sweep id is a positive whole number (got "${text}").\n${REPORT_USAGE}`);
  if (values.confusions !== undefined || values.examples !== undefined)
    throw new UsageError(
      `--confusions and --examples are for reports of runs, not of a sweep.\n${REPORT_USAGE}`,
    );
  const format = formatOf(values);
  const wb = ctx.workbench();
  const sweep = await wb.getSweep(id);
  if (!sweep.done)
    process.stderr.write(
      `Sweep ${id} has runs still to train; the report shows what they have recorded so far.\n`,
    );
  const result = await wb.writeReport({ sweep: id }, format, values.out!);
  if (values.json) return printJson(result);
  printWritten(result, `sweep ${id} (${result.runs.length} run${result.runs.length === 1 ? '' : 's'})`);
}

type GroupFlags = ReportFlags & { sweep?: string; 'group-by'?: string; metric?: string; test?: string };

// `timbre report --group-by ...`: a report of groups of the given runs or of a sweep's.
async function groupReport(ctx: CliContext, values: GroupFlags, positionals: string[]): Promise<void> {
  if (values.confusions !== undefined || values.examples !== undefined)
    throw new UsageError(
      `--confusions and --examples are for reports of runs, not of groups.\n${REPORT_USAGE}`,
    );
  const ids = positionals.map((p) => parseRunId(p, REPORT_USAGE));
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined)
    throw new UsageError(`Run ${twice} is given twice; give each run once.\n${REPORT_USAGE}`);
  if (values.sweep !== undefined && ids.length)
    throw new UsageError(`Give run ids or --sweep ID, not both.\n${REPORT_USAGE}`);
  if (values.sweep === undefined && ids.length < 2)
    throw new UsageError(`Give two or more run ids, or --sweep ID, to report on groups.\n${REPORT_USAGE}`);
  const request: GroupRequest = {
    select: values.sweep === undefined ? { runs: ids } : { sweep: parseSweepId(values.sweep) },
    groupBy: parseGroupBy(values['group-by'] ?? 'configuration', REPORT_USAGE),
    metric: parseMetric(values.metric ?? 'test_accuracy', REPORT_USAGE),
    test: parseTest(values.test ?? 'welch', REPORT_USAGE),
  };
  const format =
    values.out === undefined ? choiceFlag(values.format, 'format', REPORT_FORMATS) : formatOf(values);
  if (!format)
    throw new UsageError(`Give --format (${REPORT_FORMATS.join(', ')}) or --out FILE.\n${REPORT_USAGE}`);
  const out = values.out ?? path.resolve(groupReportFileName(request, format));
  const result = await ctx.workbench().writeGroupReport(request, format, out);
  if (values.json) return printJson(result);
  const groups = result.groups?.length ?? 0;
  printWritten(
    result,
    `${groups} group${groups === 1 ? '' : 's'} of ${result.runs.length} run${result.runs.length === 1 ? '' : 's'}`,
  );
}

// What was written, one line for one file, a list for several.
function printWritten(result: ExportResult, what: string): void {
  if (result.files.length === 1) {
    const f = result.files[0]!;
    console.log(`Wrote the ${result.format} report of ${what} to ${f.path} (${human(f.bytes)}).`);
  } else {
    console.log(`Wrote the ${result.format} report of ${what} as ${result.files.length} files:`);
    for (const f of result.files) console.log(`  ${f.path} (${human(f.bytes)})`);
  }
}
