import type { SavedView } from '../../shared/run-views';
import type { Db } from './database';
import { now } from './run-rows';

/** The runs table's saved views, by name; statements prepared once for a connection. */
export class ViewRepo {
  private readonly sql;

  constructor(db: Db) {
    this.sql = {
      list: db
        .prepare<[], string>('SELECT view FROM saved_views ORDER BY name COLLATE NOCASE, name')
        .pluck(true),
      save: db.prepare<[string, string, string]>(
        `INSERT INTO saved_views (name, view, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET view = excluded.view, updated_at = excluded.updated_at`,
      ),
      remove: db.prepare<[string]>('DELETE FROM saved_views WHERE name = ?'),
      count: db.prepare<[], number>('SELECT count(*) FROM saved_views').pluck(true),
    };
  }

  /** Every saved view, by name (case aside). */
  list(): SavedView[] {
    return this.sql.list.all().map((v) => JSON.parse(v) as SavedView);
  }

  /** Saves a view under its name, replacing the view of that name. */
  save(view: SavedView): void {
    this.sql.save.run(view.name, JSON.stringify(view), now());
  }

  /** Deletes the view of that name; false when there was none. */
  remove(name: string): boolean {
    return this.sql.remove.run(name).changes > 0;
  }

  /** How many views are saved. */
  count(): number {
    return this.sql.count.get() ?? 0;
  }
}
