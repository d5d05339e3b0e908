import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeHealth } from '../../src-main/cli/commands/db';
import { openDatabase } from '../../src-main/core/store/database';
import { DatasetRepo } from '../../src-main/core/store/datasets';
import { MIGRATIONS } from '../../src-main/core/store/migrations';
import { RunRepo } from '../../src-main/core/store/runs';
import { resolveTrainConfig } from '../../src-main/core/training/config';
import { damage, seedStore, sha1 } from '../helpers/damage';
import { timbre } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

const TINY = { TIMBRE_DEFAULT_PRESET: 'tiny' };
let root: string;
let cleanup: () => void;
beforeAll(() => ({ dir: root, cleanup } = tempDir('timbre-cli-db-')));
afterAll(() => cleanup());

function newHome(name: string): { home: string; file: string } {
  const home = path.join(root, name);
  fs.mkdirSync(home);
  return { home, file: path.join(home, 'timbre.db') };
}

// A store with a data set of a few hundred pages and one finished run named `name`.
function seedRun(file: string, name: string): void {
  seedStore(file, 4000, `set-${name}`);
  const db = openDatabase(file);
  const datasetId = new DatasetRepo(db).find(`set-${name}`)!.id;
  const runs = new RunRepo(db);
  const id = runs.create({
    name,
    config: resolveTrainConfig('seed-fc', { epochs: 1 }),
    preset: 'seed-fc',
    datasetId,
    datasetFingerprint: `fp-set-${name}`,
    appVersion: 'test',
  });
  runs.end(id, 'finished');
  db.close();
}

describe('a damaged database', () => {
  it('is refused by every command that would use it, with what to do, and nothing is written to it', () => {
    const { home, file } = newHome('damaged');
    seedRun(file, 'before');
    // The first command of the day takes the daily backup.
    const first = timbre(home, ['runs', 'list', '--json']);
    expect(first.code).toBe(0);
    expect((first.json() as { name: string }[]).map((r) => r.name)).toEqual(['before']);
    expect(fs.readdirSync(path.join(home, 'backups'))).toHaveLength(1);
    seedRun(file, 'after');
    damage(file);
    const before = sha1(file);
    for (const args of [
      ['runs', 'list'],
      ['train', '--preset', 'seed-fc', '--epochs', '1'],
      ['notes', '1'],
      ['report', '1', '--out', path.join(home, 'r.html')],
    ]) {
      const r = timbre(home, args, TINY);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(
        /^timbre: The database .*timbre\.db is damaged \(page \d+: .*`timbre db restore`/,
      );
      expect(sha1(file), args.join(' ')).toBe(before);
    }
    expect(fs.existsSync(path.join(home, 'r.html'))).toBe(false);

    const check = timbre(home, ['db', 'check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/state +DAMAGED/);
    expect(check.stdout).toMatch(/1 backup\(s\) in .*backups, newest first/);
    expect(check.stdout).toContain('`timbre db restore` puts back the newest good backup');

    const restore = timbre(home, ['db', 'restore', '--yes', '--json']);
    expect(restore.code).toBe(0);
    const result = restore.json() as { restored: { name: string }; setAside: string[] };
    expect(sha1(result.setAside[0]!)).toBe(before);
    const after = timbre(home, ['runs', 'list', '--json']);
    expect(after.code).toBe(0);
    // The backup was taken before the run "after" was recorded.
    expect((after.json() as { name: string }[]).map((r) => r.name)).toEqual(['before']);
  });
});

describe('a database that must not be used', () => {
  it('an empty file beside models/ and datasets/ is refused, not recreated empty', () => {
    const { home, file } = newHome('empty');
    fs.mkdirSync(path.join(home, 'models', '3', 'best'), { recursive: true });
    fs.mkdirSync(path.join(home, 'datasets', 'default'), { recursive: true });
    fs.writeFileSync(file, '');
    const r = timbre(home, ['runs', 'list'], TINY);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /is empty \(0 bytes\), but models\/, datasets\/ from earlier use are still there/,
    );
    expect(fs.statSync(file).size).toBe(0);
    const check = timbre(home, ['db', 'check', '--json']);
    expect(check.code).toBe(1);
    expect(check.json()).toMatchObject({ state: 'empty', ok: false });
  });

  it('a database from a newer version is refused with every byte unchanged', () => {
    const { home, file } = newHome('newer');
    const raw = new Database(file);
    raw.exec('CREATE TABLE later (x)');
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    const before = sha1(file);
    const r = timbre(home, ['runs', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/written by a newer version of Timbre Workbench/);
    expect(sha1(file)).toBe(before);
    expect(fs.readdirSync(home)).toEqual(['timbre.db']);
  });
});

describe('timbre db', () => {
  it('takes a backup on request and lists it', () => {
    const { home } = newHome('manual');
    const r = timbre(home, ['db', 'backup', '--json']);
    expect(r.code).toBe(0);
    const taken = r.json() as { name: string; reason: string };
    expect(taken.reason).toBe('manual');
    const check = timbre(home, ['db', 'check']);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/state +ok: every page and row checked/);
    expect(check.stdout).toContain(taken.name);
  });

  it('shows what only the page scan saw in a sound file as a note, not as damage', () => {
    const text = describeHealth({
      file: '/home/timbre.db',
      state: 'ok',
      ok: true,
      bytes: 4096,
      schemaVersion: MIGRATIONS.length,
      knownVersion: MIGRATIONS.length,
      problems: [],
      warnings: ['page 7: right child 99 is no page'],
      counts: { datasets: 1, runs: 2, evaluations: 0 },
      checkMs: 3,
      backups: [],
    });
    expect(text).toMatch(/state +ok: every page and row checked/);
    expect(text).toMatch(/note +the quick page scan saw[^]*no damage\n +page 7: right child 99 is no page/);
    expect(text).not.toContain('DAMAGED');
  });

  it('explains itself, and refuses bad flags and arguments with exit code 2', () => {
    const { home } = newHome('flags');
    const help = timbre(home, ['db', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('timbre db restore [BACKUP] [--yes] [--json]');
    for (const args of [
      ['db', 'check', '--bogus'],
      ['db', 'restore', 'a', 'b'],
    ]) {
      const r = timbre(home, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(/^timbre: /);
    }
    // No terminal to ask on: restoring wants --yes.
    const r = timbre(home, ['db', 'restore']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pass --yes to confirm');
  });
});
