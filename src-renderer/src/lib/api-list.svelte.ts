// A list the renderer keeps from one API call, with how loading it went.

/** A readable sentence from whatever a call threw. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A list fetched from the API, replaced whole on every load ($state.raw), never mutated: a table
 * of 10,000 rows costs one signal, not 10,000 proxies.
 */
export abstract class ApiList<T> {
  list = $state.raw<T[]>([]);
  loaded = $state(false);
  loading = $state(false);
  error = $state<string | null>(null);

  /** The API call that returns the whole list. */
  protected abstract fetchList(): Promise<T[]>;

  /** Fetches the list once; on failure the old list stays and `error` says why. */
  protected async fetchOnce(): Promise<void> {
    this.loading = true;
    try {
      this.list = await this.fetchList();
      this.error = null;
      this.loaded = true;
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.loading = false;
    }
  }
}
