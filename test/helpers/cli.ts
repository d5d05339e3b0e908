import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve(import.meta.dirname, '../../bin/timbre.mjs');

/** What one `timbre` invocation printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The last stdout line parsed as JSON (for --json commands). */
  json: () => unknown;
}

/** Runs the real `timbre` command in a child process with TIMBRE_HOME set. */
export function timbre(home: string, args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TIMBRE_HOME: home, ...env },
    timeout: 300_000,
  });
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    json: () => JSON.parse(r.stdout.trim().split('\n').pop()!),
  };
}
