import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BACKUPS_KEPT,
  backupIfDue,
  backupName,
  backupSettled,
  backupsToKeep,
  listBackups,
  takeBackup,
  type BackupInfo,
} from '../../../src-main/core/store/backup';
import { openDatabase } from '../../../src-main/core/store/database';
import { DatasetRepo } from '../../../src-main/core/store/datasets';
import { scanPages } from '../../../src-main/core/store/integrity';
import { checkDatabase, RestoreError, restoreBackup } from '../../../src-main/core/store/maintenance';
import { damage, seedStore, sha1 } from '../../helpers/damage';
import { tempDir } from '../../helpers/tmp';
import { overwritePage, pageInWal } from './wal-pages';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function home(): { file: string; backups: string } {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return { file: path.join(t.dir, 'timbre.db'), backups: path.join(t.dir, 'backups') };
}

const datasetNames = (file: string) => {
  const db = openDatabase(file);
  try {
    return new DatasetRepo(db).list().map((d) => d.name);
  } finally {
    db.close();
  }
};

describe('backups', () => {
  it('copies the open database into backups/, checked and in rollback-journal mode', async () => {
    const { file, backups } = home();
    seedStore(file, 500);
    const db = openDatabase(file);
    const taken = await takeBackup(db, file);
    db.close();
    expect(path.dirname(taken.file)).toBe(backups);
    expect(taken.name).toMatch(/^timbre-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.db$/);
    expect(scanPages(taken.file).ok).toBe(true);
    const copy = new Database(taken.file, { readonly: true });
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(copy.prepare('SELECT count(*) AS n FROM dataset_notes').get()).toEqual({ n: 500 });
    copy.close();
    // Nothing half-written is left beside it.
    expect(fs.readdirSync(backups)).toEqual([taken.name]);
  });

  it(`keeps the newest ${BACKUPS_KEPT}, and clears copies left unfinished by processes that are gone`, async () => {
    const { file, backups } = home();
    seedStore(file, 10);
    fs.mkdirSync(backups);
    const old = ['2025-01-01', '2025-01-02', '2025-01-03', '2025-01-04', '2025-01-05', '2025-01-06'].map(
      (day) => `timbre-${day}T10-00-00-000Z.db`,
    );
    for (const name of old) fs.copyFileSync(file, path.join(backups, name));
    // Copies left unfinished: by a process that is gone (removed), and by this live one (kept).
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const dead = `.timbre-2025-01-07T10-00-00-000Z.db.${gone}.partial`;
    const live = `.timbre-2025-01-07T10-00-00-000Z.db.${process.pid}.partial`;
    for (const name of [dead, live]) fs.writeFileSync(path.join(backups, name), 'half');
    const db = openDatabase(file);
    const taken = await takeBackup(db, file);
    db.close();
    expect(listBackups(backups).map((b) => b.name)).toEqual([taken.name, ...old.reverse().slice(0, 4)]);
    expect(fs.existsSync(path.join(backups, dead))).toBe(false);
    expect(fs.existsSync(path.join(backups, live))).toBe(true);
  });

  it('keeps the newest of each of the last 7 days, and the 2 newest taken before a schema update, besides the newest 5', () => {
    const now = new Date('2026-11-29T15:00:00.000Z');
    const at = (iso: string, reason?: string): BackupInfo => {
      const name = backupName(new Date(iso), reason);
      return { name, file: name, takenAt: iso, bytes: 1, reason: reason ?? null };
    };
    const today = [14, 13, 12, 11, 10, 9, 8].map((h) =>
      at(`2026-11-29T${String(h).padStart(2, '0')}:00:00.000Z`),
    );
    const days = [28, 27, 26, 25, 24, 23, 22, 21].map((d) => [
      at(`2026-11-${d}T20:00:00.000Z`),
      at(`2026-11-${d}T09:00:00.000Z`),
    ]);
    const schema = [at('2026-11-29T08:30:00.000Z', 'schema-2'), at('2026-10-01T08:00:00.000Z', 'schema-1')];
    const oldSchema = at('2026-09-01T08:00:00.000Z', 'schema-1');
    const all = [...today, ...days.flat(), ...schema, oldSchema];
    const kept = backupsToKeep(all, now);
    // The newest 5 (all today); then the newest of each earlier day back to the 23rd (7 days with today).
    const expected = [...today.slice(0, 5), ...days.slice(0, 6).map(([evening]) => evening!), ...schema];
    expect([...kept].sort()).toEqual(expected.map((b) => b.name).sort());
    // One just taken stays whatever its name says.
    expect(backupsToKeep(all, now, oldSchema.name).has(oldSchema.name)).toBe(true);
  });

  it('rotation keeps a backup of days ago and the one taken before a schema update, and clears what partial copies of gone processes left', async () => {
    const { file, backups } = home();
    seedStore(file, 10);
    fs.mkdirSync(backups);
    const ago = (hours: number, reason?: string) =>
      backupName(new Date(Date.now() - hours * 3_600_000), reason);
    const recent = Array.from({ length: 8 }, (_, i) => ago(0.01 * (i + 1)));
    const [twoDays, fourDays, tenDays, schema] = [ago(48), ago(96), ago(240), ago(72, 'schema-2')];
    for (const name of [...recent, twoDays, fourDays, tenDays, schema]) {
      fs.copyFileSync(file, path.join(backups, name!));
    }
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const leftovers = ['', '-wal', '-shm', '-journal'].map((s) => `.${ago(1)}.${gone}.partial${s}`);
    for (const name of leftovers) fs.writeFileSync(path.join(backups, name), 'half');
    const db = openDatabase(file);
    const taken = await takeBackup(db, file);
    db.close();
    const names = listBackups(backups).map((b) => b.name);
    expect(names).toContain(taken.name);
    expect(names).toEqual(expect.arrayContaining([twoDays, fourDays, schema, ...recent.slice(0, 4)]));
    expect(names).not.toContain(tenDays);
    // (Unless midnight (UTC) fell between them: then it is the newest of yesterday, kept as such.)
    if (recent[7]!.slice(7, 17) === taken.name.slice(7, 17)) expect(names).not.toContain(recent[7]);
    for (const name of leftovers) expect(fs.existsSync(path.join(backups, name)), name).toBe(false);
  });

  it('takes a scheduled backup when the only recent one has a name in the future (the clock was wrong)', async () => {
    const { file, backups } = home();
    seedStore(file, 10);
    fs.mkdirSync(backups);
    const future = backupName(new Date(Date.now() + 30 * 86_400_000));
    fs.copyFileSync(file, path.join(backups, future));
    const db = openDatabase(file);
    backupIfDue(db, file, 24);
    const taken = await backupSettled(db);
    db.close();
    expect(taken).not.toBeNull();
    expect(listBackups(backups).map((b) => b.name)).toEqual([future, taken!.name]);
  });

  it('takes a scheduled backup only when the newest is older than the interval', async () => {
    const { file, backups } = home();
    seedStore(file, 10);
    fs.mkdirSync(backups);
    const recent = `timbre-${new Date(Date.now() - 3_600_000).toISOString().replace(/[:.]/g, '-')}.db`;
    fs.copyFileSync(file, path.join(backups, recent));
    const db = openDatabase(file);
    backupIfDue(db, file, 24);
    expect(await backupSettled(db)).toBeNull();
    expect(listBackups(backups)).toHaveLength(1);
    backupIfDue(db, file, 0.5);
    const taken = await backupSettled(db);
    db.close();
    expect(listBackups(backups).map((b) => b.name)).toEqual([taken!.name, recent]);
  });

  it('is taken by openDatabase in the background when due, never for a new database', async () => {
    const { file, backups } = home();
    const fresh = openDatabase(file, { backupAfterHours: 0 });
    expect(await backupSettled(fresh)).toBeNull();
    fresh.close();
    const again = openDatabase(file, { backupAfterHours: 0 });
    const taken = await backupSettled(again);
    again.close();
    expect(listBackups(backups).map((b) => b.name)).toEqual([taken!.name]);
  });
});

describe('checkDatabase', () => {
  it('reports a sound database with its counts, a damaged one with its problems, and writes to neither', () => {
    const { file } = home();
    expect(checkDatabase(file)).toMatchObject({ state: 'new', ok: true });
    seedStore(file, 3000);
    const sound = checkDatabase(file);
    expect(sound).toMatchObject({ state: 'ok', ok: true, problems: [], counts: { datasets: 1, runs: 0 } });
    damage(file);
    const before = sha1(file);
    const damaged = checkDatabase(file);
    expect(damaged.state).toBe('damaged');
    expect(damaged.ok).toBe(false);
    expect(damaged.problems.length).toBeGreaterThan(0);
    expect(sha1(file)).toBe(before);
  });
});

describe('checkDatabase, while another process writes', () => {
  it('reports what only the page scan sees, in a file SQLite reads without fault, as a warning and no damage', () => {
    const { file } = home();
    seedStore(file, 3000);
    const writer = new Database(file);
    writer.pragma('wal_autocheckpoint = 0');
    try {
      writer.prepare('UPDATE dataset_notes SET velocity = 101').run();
      const page = pageInWal(file);
      overwritePage(file, page);
      const health = checkDatabase(file);
      expect(health).toMatchObject({ state: 'ok', ok: true, problems: [] });
      expect(health.warnings).toEqual([expect.stringMatching(new RegExp(`^page ${page}: `))]);
    } finally {
      writer.close();
    }
    expect(checkDatabase(file)).toMatchObject({ state: 'ok', problems: [], warnings: [] });
  });
});

describe('restoreBackup', () => {
  it('puts the newest good backup back, passing over a damaged one, and keeps the damaged database aside', async () => {
    const { file, backups } = home();
    seedStore(file, 3000, 'first');
    let db = openDatabase(file);
    const good = await takeBackup(db, file);
    db.close();
    seedStore(file, 3000, 'second');
    db = openDatabase(file);
    await new Promise((r) => setTimeout(r, 5));
    const bad = await takeBackup(db, file);
    db.close();
    damage(bad.file);
    damage(file, 0.6);
    const damagedBytes = sha1(file);

    const result = restoreBackup(file);
    expect(result.restored.name).toBe(good.name);
    expect(result.skipped).toEqual([{ name: bad.name, problem: expect.stringMatching(/^damaged: /) }]);
    // The damaged database is renamed aside, byte for byte, beside the restored one.
    const [aside] = result.setAside;
    expect(path.dirname(aside!)).toBe(path.dirname(file));
    expect(aside).toMatch(/timbre-.*Z-replaced\.db$/);
    expect(sha1(aside!)).toBe(damagedBytes);
    expect(datasetNames(file)).toEqual(['first']);
    // The backups stay as they were.
    expect(listBackups(backups).map((b) => b.name)).toEqual([bad.name, good.name]);
  });

  it('sets aside a WAL left by a crashed process with its database, so none of it reaches the restored file', async () => {
    const { file } = home();
    seedStore(file, 300, 'first');
    const db = openDatabase(file);
    const taken = await takeBackup(db, file);
    db.close();
    // A writer that dies before copying its WAL back: its last commit lives only in timbre.db-wal.
    const writer = new Database(file);
    writer.pragma('wal_autocheckpoint = 0');
    writer.prepare("UPDATE datasets SET name = 'renamed in the WAL'").run();
    const crashed = path.join(path.dirname(file), 'crashed');
    fs.mkdirSync(crashed);
    const files = ['', '-wal', '-shm'];
    for (const suffix of files) fs.copyFileSync(`${file}${suffix}`, path.join(crashed, `x.db${suffix}`));
    writer.close();
    for (const suffix of files) fs.copyFileSync(path.join(crashed, `x.db${suffix}`), `${file}${suffix}`);
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(0);

    const result = restoreBackup(file, taken.name);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    expect(fs.existsSync(`${file}-shm`)).toBe(false);
    expect(datasetNames(file)).toEqual(['first']);
    // The set-aside database still holds the WAL's last commit (copied in, or beside it as its -wal).
    const old = new Database(result.setAside[0]!, { readonly: true });
    expect(old.prepare('SELECT name FROM datasets').pluck().all()).toEqual(['renamed in the WAL']);
    old.close();
  });

  it('restores a backup by name, and refuses a damaged or unknown one', async () => {
    const { file } = home();
    seedStore(file, 300, 'first');
    const db = openDatabase(file);
    const taken = await takeBackup(db, file);
    db.close();
    seedStore(file, 300, 'second');
    expect(() => restoreBackup(file, 'timbre-nope.db')).toThrow(/No backup "timbre-nope.db"/);
    expect(restoreBackup(file, taken.name).restored.name).toBe(taken.name);
    expect(datasetNames(file)).toEqual(['first']);
    damage(taken.file);
    expect(() => restoreBackup(file, taken.name)).toThrow(/cannot be restored: damaged/);
  });

  it('refuses while another connection has the database open, moving nothing', async () => {
    const { file } = home();
    seedStore(file, 300);
    const db = openDatabase(file);
    await takeBackup(db, file);
    const before = fs.readdirSync(path.dirname(file)).sort();
    try {
      expect(() => restoreBackup(file)).toThrow(RestoreError);
      expect(() => restoreBackup(file)).toThrow(/is open in another process/);
    } finally {
      db.close();
    }
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(
      before.filter((n) => !n.endsWith('-shm') && !n.endsWith('-wal')),
    );
    expect(() => restoreBackup(file)).not.toThrow();
  });

  it('says so when there is no backup', () => {
    const { file } = home();
    seedStore(file, 10);
    expect(() => restoreBackup(file)).toThrow(/There are no backups in .*backups/);
  });
});
