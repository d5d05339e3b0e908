import { MAX_VIEWS, type PackedColumns, type SavedView } from '../../shared/run-views';
import type { RunListFilter } from '../../shared/training';
import { errorKind } from '../errors';
import { RunColumnRepo } from '../store/run-columns';
import { ViewRepo } from '../store/views';
import { NotFoundError, type Home } from './home';

/** A view that cannot be saved as asked (no name, too many views). */
export const ViewError = errorKind('ViewError', 'bad-argument');

/** The runs table's extra columns and saved views (issue 13). */
export class WorkbenchViews {
  private readonly views: ViewRepo;
  private readonly columns: RunColumnRepo;

  constructor(home: Home) {
    this.views = new ViewRepo(home.db);
    this.columns = new RunColumnRepo(home.db);
  }

  /** The extra columns' values of every run, or a sweep's. */
  runColumns(keys: readonly string[], filter: RunListFilter = {}): PackedColumns {
    return this.columns.packed([...new Set(keys)], filter.sweep ?? null);
  }

  /** Every saved view, by name. */
  list(): SavedView[] {
    return this.views.list();
  }

  /** Saves a view (replacing the one of its name); answers every view. */
  save(view: SavedView): SavedView[] {
    const name = view.name.trim();
    if (!name) throw new ViewError('A view needs a name.');
    const replaces = this.views.list().some((v) => v.name === name);
    if (!replaces && this.views.count() >= MAX_VIEWS)
      throw new ViewError(`At most ${MAX_VIEWS} views can be saved; delete one first.`);
    this.views.save({ ...view, name });
    return this.views.list();
  }

  /** Deletes a saved view; answers every view left. */
  remove(name: string): SavedView[] {
    if (!this.views.remove(name)) throw new NotFoundError(`No saved view "${name}".`);
    return this.views.list();
  }
}
