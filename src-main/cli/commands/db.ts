import { homePaths, timbreHome } from '../../core/paths';
import { backupsDir, takeBackup, type BackupInfo } from '../../core/store/backup';
import { openDatabase } from '../../core/store/database';
import { checkDatabase, restoreBackup, type DatabaseHealth } from '../../core/store/maintenance';
import { parseFlags, UsageError } from '../args';
import type { CliContext } from '../context';
import { agreed, printJson, table } from '../output';
import { exactTime } from '../../shared/format';

export const DB_USAGE = `Usage:
  timbre db check [--json]
      Check the database fully (every page and row), and list its schema version, contents and backups.
      Exits 1 when the database cannot be used as it is.
  timbre db backup [--json]
      Take a backup now, into TIMBRE_HOME/backups (the newest 5 are kept, and the newest of each of
      the last 7 days, and the 2 newest taken before a schema update; the app also takes one a day).
  timbre db restore [BACKUP] [--yes] [--json]
      Put a backup (by default the newest good one) in place of the database; the replaced file is
      kept aside beside it, never deleted. Asks first unless --yes. Close the app before restoring.`;

/** `timbre db ...` */
export async function dbCommand(ctx: CliContext, argv: string[]): Promise<number | void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'check':
      return check(rest);
    case 'backup':
      return backup(rest);
    case 'restore':
      return restore(ctx, rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      console.log(DB_USAGE);
      return;
    default:
      throw new UsageError(`Unknown command "db ${sub}".\n${DB_USAGE}`);
  }
}

const usageOf = (sub: number) => {
  const lines = DB_USAGE.split('\n');
  const starts = lines.flatMap((l, i) => (l.startsWith('  timbre') ? [i] : []));
  return lines.slice(starts[sub], starts[sub + 1]).join('\n');
};

// The database file is found without opening it: a damaged one must not stop these commands.
const databaseFile = () => homePaths(timbreHome()).database;

async function check(argv: string[]): Promise<number> {
  const usage = usageOf(0);
  const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } }, usage);
  if (values.help) return (console.log(usage), 0);
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".\n${usage}`);
  const health = checkDatabase(databaseFile());
  if (values.json) printJson(health);
  else console.log(describeHealth(health));
  return health.ok ? 0 : 1;
}

async function backup(argv: string[]): Promise<void> {
  const usage = usageOf(1);
  const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } }, usage);
  if (values.help) return console.log(usage);
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".\n${usage}`);
  const file = databaseFile();
  // Opening checks the file first: a damaged database is never backed up.
  const db = openDatabase(file);
  try {
    const taken = await takeBackup(db, file, 'manual');
    if (values.json) return printJson(taken);
    console.log(`Backed up ${file} to ${taken.file} (${megabytes(taken.bytes)}).`);
  } finally {
    db.close();
  }
}

async function restore(ctx: CliContext, argv: string[]): Promise<void> {
  const usage = usageOf(2);
  const { values, positionals } = parseFlags(
    argv,
    { yes: { type: 'boolean', short: 'y' }, json: { type: 'boolean' } },
    usage,
  );
  if (values.help) return console.log(usage);
  if (positionals.length > 1) throw new UsageError(`Give at most one backup.\n${usage}`);
  // This process must not hold the database it is about to replace.
  await ctx.close();
  const file = databaseFile();
  const which = positionals[0] ?? 'the newest good backup';
  const action = `Restoring replaces ${file} with a backup (the replaced file is kept aside)`;
  if (!(await agreed(values.yes, action, `Replace ${file} with ${which}? [y/N] `))) {
    process.stderr.write('Nothing was changed.\n');
    return;
  }
  const result = restoreBackup(file, positionals[0]);
  if (values.json) return printJson(result);
  for (const s of result.skipped) console.log(`Passed over ${s.name}: ${s.problem}.`);
  console.log(`Restored ${result.restored.name} (taken ${exactTime(result.restored.takenAt)}) as ${file}.`);
  if (result.setAside.length) {
    console.log(`The replaced database is kept as ${result.setAside.join(', ')}.`);
  }
  console.log(
    'Runs recorded after the backup was taken are not in it; their model folders stay under models/.',
  );
}

/** The report of `timbre db check` as a user reads it. */
export function describeHealth(h: DatabaseHealth): string {
  const size = h.bytes === null ? 'no file' : megabytes(h.bytes);
  const lines = [`database  ${h.file} (${size})`];
  const state: Record<DatabaseHealth['state'], string> = {
    ok: `ok: every page and row checked${h.checkMs === null ? '' : ` in ${h.checkMs} ms`}`,
    new: 'new: nothing recorded yet (the database is created on first use)',
    empty: 'EMPTY, though data from earlier use remains',
    missing: 'MISSING, though data from earlier use remains',
    damaged: 'DAMAGED',
    'too-new': 'written by a newer version of Timbre Workbench',
  };
  lines.push(`state     ${state[h.state]}`);
  for (const p of h.problems) lines.push(`          ${p}`);
  if (h.warnings.length) {
    lines.push(
      'note      the quick page scan saw the following, but SQLite read every page and row without',
      '          fault (most likely another process was writing meanwhile): no damage',
      ...h.warnings.map((w) => `          ${w}`),
    );
  }
  if (h.schemaVersion !== null) {
    lines.push(`schema    ${h.schemaVersion} (this version knows up to ${h.knownVersion})`);
  }
  if (h.counts) {
    const c = h.counts;
    lines.push(`contents  ${c.datasets} data set(s), ${c.runs} run(s), ${c.evaluations} evaluation(s)`);
  }
  lines.push('', describeBackups(h.backups, backupsDir(h.file)));
  if (!h.ok && h.state !== 'too-new') {
    lines.push(
      '',
      h.backups.length
        ? '`timbre db restore` puts back the newest good backup; the current file is kept aside, not deleted.'
        : "There is no backup to restore. Copy the file elsewhere before anything else; SQLite's `.recover` may save part of it.",
    );
  }
  return lines.join('\n');
}

function describeBackups(backups: BackupInfo[], dir: string): string {
  if (!backups.length) return `No backups yet in ${dir}.`;
  const rows = backups.map((b) => [b.name, exactTime(b.takenAt), megabytes(b.bytes), why(b.reason)]);
  return `${backups.length} backup(s) in ${dir}, newest first:\n${table(['backup', 'taken', 'size', 'why'], rows)}`;
}

const why = (reason: string | null) =>
  reason === null
    ? 'scheduled'
    : reason.startsWith('schema-')
      ? `before updating schema ${reason.slice(7)}`
      : reason === 'manual'
        ? 'timbre db backup'
        : reason;
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
