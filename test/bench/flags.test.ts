import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// The bench refuses a bad flag in one line, before it renders or trains anything.
function bench(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/bench.mjs', ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('npm run bench, refusing its flags', () => {
  it.each([
    [['--first-seed', '-1'], '--first-seed needs a whole number of at least 0, got "-1"'],
    [['--first-seed', '1.5'], '--first-seed needs a whole number of at least 0, got "1.5"'],
  ])('%j', (args, message) => {
    const r = bench(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`bench: ${message} (npm run bench -- --help)\n`);
    expect(r.stdout).toBe('');
  });
});
