import path from 'node:path';
import { SPLITS, type Split } from '../../shared/constants';
import type { DatasetSummary, NoteRecord, SkippedFile, SplitSummary } from '../../shared/types';
import type { Db } from './database';

/** What the importer hands over to be kept. */
export interface DatasetWrite {
  name: string;
  root: string;
  fingerprint: string;
  notes: NoteRecord[];
  splits: Partial<Record<Split, SplitSummary>>;
  skipped: SkippedFile[];
  /** How the notes were split, in words (a render's rule); null when unknown. */
  splitRule?: string | null;
}

interface DatasetRow {
  id: number;
  name: string;
  root: string;
  fingerprint: string;
  created_at: string;
  updated_at: string;
  splits: string;
  split_rule: string | null;
}

interface NoteRow {
  split: Split;
  note_str: string;
  family: number;
  source: number;
  instrument_str: string;
  pitch: number;
  velocity: number;
  path: string;
}

/** Rows of one page of readNotes: a few tens of ms each at most. */
const NOTES_PAGE = 5000;

function noteRecord(root: string, n: NoteRow): NoteRecord {
  return {
    split: n.split,
    noteStr: n.note_str,
    family: n.family,
    source: n.source,
    instrumentStr: n.instrument_str,
    pitch: n.pitch,
    velocity: n.velocity,
    path: path.join(root, n.path),
  };
}

/** Data sets and their notes in SQLite; statements are prepared once per connection. */
export class DatasetRepo {
  private readonly byId;
  private readonly byName;
  private readonly byRoot;
  private readonly all;
  private readonly notesOf;
  private readonly firstPage;
  private readonly nextPage;
  private readonly skippedOf;
  private readonly notePathOf;
  private readonly insert;
  private readonly change;
  private readonly insertNote;
  private readonly insertSkipped;
  private readonly clearNotes;
  private readonly clearSkipped;
  private readonly deleteById;
  private readonly dropUnfinished;
  private readonly dropOwn;
  private readonly finish;

  constructor(private readonly db: Db) {
    // A data set whose notes are still being written (saveInPages) has no fingerprint yet: unseen.
    const finished = `fingerprint != ''`;
    this.byId = db.prepare<[number], DatasetRow>(`SELECT * FROM datasets WHERE id = ? AND ${finished}`);
    this.byName = db.prepare<[string], DatasetRow>(`SELECT * FROM datasets WHERE name = ? AND ${finished}`);
    this.byRoot = db.prepare<[string], DatasetRow>(`SELECT * FROM datasets WHERE root = ? AND ${finished}`);
    this.all = db.prepare<[], DatasetRow>(`SELECT * FROM datasets WHERE ${finished} ORDER BY id`);
    this.dropUnfinished = db.prepare<[string, string]>(
      `DELETE FROM datasets WHERE (root = ? OR name = ?) AND fingerprint = ''`,
    );
    this.dropOwn = db.prepare<[number]>(`DELETE FROM datasets WHERE id = ? AND fingerprint = ''`);
    this.finish = db.prepare<[string, string, number]>(
      `UPDATE datasets SET fingerprint = ?, updated_at = ? WHERE id = ? AND fingerprint = ''`,
    );
    this.notesOf = db.prepare<[number], NoteRow>(
      `SELECT split, note_str, family, source, instrument_str, pitch, velocity, path FROM dataset_notes
       WHERE dataset_id = ? ORDER BY CASE split WHEN 'train' THEN 0 WHEN 'valid' THEN 1 ELSE 2 END, note_str`,
    );
    // Pages of one split in note_str order, straight from the primary key.
    const page = (from: string) =>
      db.prepare<[number, Split, string, number], NoteRow>(
        `SELECT split, note_str, family, source, instrument_str, pitch, velocity, path FROM dataset_notes
         WHERE dataset_id = ? AND split = ? AND note_str ${from} ? ORDER BY note_str LIMIT ?`,
      );
    this.firstPage = page('>=');
    this.nextPage = page('>');
    this.skippedOf = db.prepare<[number], SkippedFile>(
      'SELECT file, reason FROM dataset_skipped WHERE dataset_id = ? ORDER BY rowid',
    );
    this.notePathOf = db.prepare<[number, string, string], { root: string; path: string }>(
      `SELECT d.root, n.path FROM dataset_notes n JOIN datasets d ON d.id = n.dataset_id
       WHERE n.dataset_id = ? AND n.split = ? AND n.note_str = ?`,
    );
    this.insert = db.prepare(
      'INSERT INTO datasets (name, root, fingerprint, created_at, updated_at, splits, split_rule) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.change = db.prepare(
      'UPDATE datasets SET name = ?, fingerprint = ?, updated_at = ?, splits = ?, split_rule = ? WHERE id = ?',
    );
    this.insertNote = db.prepare(
      `INSERT INTO dataset_notes (dataset_id, split, note_str, family, source, instrument_str, pitch, velocity, path)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertSkipped = db.prepare(
      'INSERT INTO dataset_skipped (dataset_id, file, reason) VALUES (?, ?, ?)',
    );
    this.clearNotes = db.prepare('DELETE FROM dataset_notes WHERE dataset_id = ?');
    this.clearSkipped = db.prepare('DELETE FROM dataset_skipped WHERE dataset_id = ?');
    this.deleteById = db.prepare('DELETE FROM datasets WHERE id = ?');
  }

  /** Every registered data set, oldest first. */
  list(): DatasetSummary[] {
    return this.all.all().map((row) => this.summary(row));
  }

  /** A data set by id, by name, or by its root folder; undefined when none matches. */
  find(ref: string | number): DatasetSummary | undefined {
    const row =
      typeof ref === 'number' || /^\d+$/.test(ref)
        ? this.byId.get(Number(ref))
        : (this.byName.get(ref) ?? this.byRoot.get(path.resolve(ref)));
    return row && this.summary(row);
  }

  /** The notes of a data set, sorted by split then note_str, with absolute wav paths. */
  notes(id: number): NoteRecord[] {
    const row = this.byId.get(id);
    if (!row) return [];
    return this.notesOf.all(id).map((n) => noteRecord(row.root, n));
  }

  /**
   * notes(), read a page at a time with the event loop free in between: NSynth's 306k notes take
   * seconds to read, which would stall every other request of `timbre serve` or the app.
   */
  async readNotes(id: number): Promise<NoteRecord[]> {
    const row = this.byId.get(id);
    const notes: NoteRecord[] = [];
    for (const split of row ? SPLITS : []) {
      let last: string | null = null;
      for (;;) {
        const rows: NoteRow[] =
          last === null
            ? this.firstPage.all(id, split, '', NOTES_PAGE)
            : this.nextPage.all(id, split, last, NOTES_PAGE);
        for (const n of rows) notes.push(noteRecord(row!.root, n));
        if (rows.length < NOTES_PAGE) break;
        last = rows[rows.length - 1]!.note_str;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return notes;
  }

  /** The absolute path of one note's WAV file; undefined when the data set has no such note. */
  notePath(id: number, split: Split, noteStr: string): string | undefined {
    const row = this.notePathOf.get(id, split, noteStr);
    return row && path.join(row.root, row.path);
  }

  /**
   * save(), for a data set of any size without holding SQLite's write lock for seconds: NSynth's
   * 306k notes in one transaction kept every other writer of the file waiting (a training run's
   * epochs, the queue) and this thread busy. A root not registered yet is written NOTES_PAGE notes
   * per transaction, with the event loop free in between, and stays unseen until its last one: a
   * crash leaves an unfinished data set that the next import of its root or name removes. A root
   * already registered has its notes replaced by save(), in one transaction.
   */
  async saveInPages(data: DatasetWrite): Promise<DatasetSummary> {
    const root = path.resolve(data.root);
    if (this.byRoot.get(root) || data.notes.length <= NOTES_PAGE) return this.save(data);
    const now = new Date().toISOString();
    const id = this.db.transaction(() => {
      this.dropUnfinished.run(root, data.name);
      return this.insertRow(data, root, '', now);
    })();
    try {
      for (let from = 0; from < data.notes.length; from += NOTES_PAGE) {
        await new Promise((resolve) => setImmediate(resolve));
        this.db.transaction(() => this.insertNotes(id, root, data.notes.slice(from, from + NOTES_PAGE)))();
      }
      this.db.transaction(() => {
        for (const s of data.skipped) this.insertSkipped.run(id, s.file, s.reason);
        if (this.finish.run(data.fingerprint, new Date().toISOString(), id).changes !== 1)
          throw new Error(
            `The data set "${data.name}" was removed by another process while it was imported.`,
          );
      })();
    } catch (err) {
      this.dropOwn.run(id);
      throw err;
    }
    return this.summary(this.byId.get(id)!);
  }

  /**
   * Registers a scanned data set, or replaces the notes of the one already registered for
   * that root, in one transaction: a crash leaves either the old or the new state.
   */
  save(data: DatasetWrite): DatasetSummary {
    const now = new Date().toISOString();
    const root = path.resolve(data.root);
    const id = this.db.transaction(() => {
      this.dropUnfinished.run(root, data.name);
      const existing = this.byRoot.get(root);
      let id: number;
      if (existing) {
        id = existing.id;
        this.change.run(
          data.name,
          data.fingerprint,
          now,
          JSON.stringify(data.splits),
          data.splitRule ?? null,
          id,
        );
        this.clearNotes.run(id);
        this.clearSkipped.run(id);
      } else {
        id = this.insertRow(data, root, data.fingerprint, now);
      }
      this.insertNotes(id, root, data.notes);
      for (const s of data.skipped) this.insertSkipped.run(id, s.file, s.reason);
      return id;
    })();
    return this.summary(this.byId.get(id)!);
  }

  private insertRow(data: DatasetWrite, root: string, fingerprint: string, now: string): number {
    const { lastInsertRowid } = this.insert.run(
      data.name,
      root,
      fingerprint,
      now,
      now,
      JSON.stringify(data.splits),
      data.splitRule ?? null,
    );
    return Number(lastInsertRowid);
  }

  private insertNotes(id: number, root: string, notes: readonly NoteRecord[]): void {
    const prefix = root.endsWith(path.sep) ? root : root + path.sep;
    for (const n of notes) {
      // path.relative is ~1.4 µs a call, a tenth of the whole import's write for NSynth.
      const rel = n.path.startsWith(prefix) ? n.path.slice(prefix.length) : path.relative(root, n.path);
      this.insertNote.run(
        id,
        n.split,
        n.noteStr,
        n.family,
        n.source,
        n.instrumentStr,
        n.pitch,
        n.velocity,
        rel,
      );
    }
  }

  /** Forgets a data set (its files on disk stay). */
  remove(id: number): boolean {
    return this.deleteById.run(id).changes > 0;
  }

  private summary(row: DatasetRow): DatasetSummary {
    return {
      id: row.id,
      name: row.name,
      root: row.root,
      fingerprint: row.fingerprint,
      createdAt: row.created_at,
      splits: JSON.parse(row.splits) as DatasetSummary['splits'],
      skipped: this.skippedOf.all(row.id),
      splitRule: row.split_rule,
    };
  }
}
