import { createInterface } from 'node:readline/promises';
import { FAMILIES, SPLITS } from '../shared/constants';
import type { DatasetSummary, SplitSummary } from '../shared/types';
import { UsageError } from './args';

/** Prints a value as one line of JSON on stdout (the last line scripts read). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Lays out rows as a text table with right-aligned numbers. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  return cells
    .map((r, i) =>
      r
        .map((cell, c) =>
          typeof rows[i - 1]?.[c] === 'number' ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Notes per split per family, as a table with families as columns. */
export function splitTable(splits: Partial<Record<string, SplitSummary>>): string {
  const present = FAMILIES.filter((f) => SPLITS.some((s) => (splits[s]?.families[f] ?? 0) > 0));
  const rows = SPLITS.filter((s) => splits[s]).map((s) => [
    s,
    ...present.map((f) => splits[s]!.families[f] ?? 0),
    splits[s]!.notes,
  ]);
  return table(['split', ...present, 'notes'], rows);
}

/** A data set as a user reads it in a terminal. */
export function describeDataset(d: DatasetSummary): string {
  const lines = [
    `data set ${d.id}: ${d.name}`,
    `root         ${d.root}`,
    `fingerprint  ${d.fingerprint}`,
    `registered   ${d.createdAt}`,
    ...(d.splitRule ? [`split        ${d.splitRule}`] : []),
    '',
    splitTable(d.splits),
  ];
  if (d.skipped.length) {
    lines.push('', `${d.skipped.length} file(s) skipped:`);
    for (const s of d.skipped.slice(0, 20)) lines.push(`  ${s.file}: ${s.reason}`);
    if (d.skipped.length > 20) lines.push(`  ... and ${d.skipped.length - 20} more (--json lists them all)`);
  }
  return lines.join('\n');
}

/**
 * Whether the user agrees to `action` (something not undone lightly): `--yes`, or y/yes typed on
 * the terminal (asked on stderr, so stdout stays clean for --json). Without a terminal to ask on,
 * only `--yes` agrees, and its absence is a usage error saying what it would have done.
 */
export async function agreed(yes: boolean | undefined, action: string, question: string): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) throw new UsageError(`${action}; pass --yes to confirm (no terminal to ask on).`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
