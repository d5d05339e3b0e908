import { formatOfPath, REPORT_FORMAT_LIST, REPORT_FORMATS } from '../../core/reports/registry';
import { choiceFlag, intFlag, parseFlags, UsageError } from '../args';
import type { CliContext } from '../context';
import { printJson } from '../output';
import { parseRunId } from './runs';

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
  const result = await wb.writeReport(ids, format, values.out, { confusions, examples });
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
