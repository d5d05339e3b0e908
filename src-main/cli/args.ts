import { parseArgs, type ParseArgsConfig } from 'node:util';
import { errorKind } from '../core/errors';

/** A command line the user typed wrongly; the CLI prints the message and exits with 2. */
export const UsageError = errorKind('UsageError', 'usage');

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses flags strictly, turning node's parse errors into one clear UsageError line. */
export function parseFlags<T extends Options>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    const message =
      err instanceof Error ? err.message.replace(/\. To specify a positional.*$/s, '') : String(err);
    throw new UsageError(`${message}\n${usage}`);
  }
}

// A number flag within [min, max] (whole when `whole`), or the fallback when absent; an empty value is no number.
function rangedFlag(
  value: unknown,
  flag: string,
  min: number,
  max: number,
  fallback: number | undefined,
  whole: boolean,
): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (
    String(value).trim() === '' ||
    !Number.isFinite(n) ||
    (whole && !Number.isInteger(n)) ||
    n < min ||
    n > max
  ) {
    const kind = whole ? 'a whole number' : 'a number';
    throw new UsageError(`--${flag} must be ${kind} from ${min} to ${max} (got "${String(value)}")`);
  }
  return n;
}

// What intFlag and numberFlag take: the value, the flag's name, its range, the value when absent.
type RangedFlag = (
  value: unknown,
  flag: string,
  min: number,
  max: number,
  fallback?: number,
) => number | undefined;

/** Reads an integer flag within [min, max], or the fallback when absent. */
export const intFlag: RangedFlag = (value, flag, min, max, fallback) =>
  rangedFlag(value, flag, min, max, fallback, true);

/** Reads a number flag within [min, max], or the fallback when absent. */
export const numberFlag: RangedFlag = (value, flag, min, max, fallback) =>
  rangedFlag(value, flag, min, max, fallback, false);

/** Reads a flag that must be one of a few words. */
export function choiceFlag<C extends string>(
  value: unknown,
  flag: string,
  choices: readonly C[],
  fallback?: C,
): C | undefined {
  if (value === undefined) return fallback;
  if (!choices.includes(value as C)) {
    throw new UsageError(`--${flag} must be one of ${choices.join(', ')} (got "${String(value)}")`);
  }
  return value as C;
}

/**
 * The command line with each negative number ("-1") kept as what the user typed it as, not a flag:
 * glued to the string flag before it (`--to -1` → `--to=-1`), or a positional otherwise (after
 * `--`). parseArgs would call it an unknown option or an ambiguous value; this way it reaches the
 * number checks, which say what is allowed.
 */
export function negativesAsValues(argv: string[], options: Options): string[] {
  if (argv.includes('--')) return argv;
  const out: string[] = [];
  const positionals: string[] = [];
  for (const arg of argv) {
    const prev = out.at(-1);
    const flag = prev?.startsWith('--') && !prev.includes('=') ? options[prev.slice(2)] : undefined;
    if (!/^-\d|^-\.\d/.test(arg)) out.push(arg);
    else if (flag?.type === 'string') out[out.length - 1] = `${prev}=${arg}`;
    else positionals.push(arg);
  }
  return positionals.length ? [...out, '--', ...positionals] : out;
}
