// One answer of the API that a part of the groups view shows, with how asking for it went: a newer
// question drops the answer to an older one (the user changed the grouping meanwhile).
import { messageOf } from './api-list.svelte';

/** The latest answer to a question, replaced whole ($state.raw). */
export class Fetched<T> {
  value = $state.raw<T | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  #ask: (() => Promise<T>) | null = null;
  #seq = 0;

  /** Asks; the answer (or the reason it failed) replaces the last unless a newer question came meanwhile. */
  async load(ask: () => Promise<T>): Promise<void> {
    const seq = ++this.#seq;
    this.#ask = ask;
    this.loading = true;
    try {
      const value = await ask();
      if (seq !== this.#seq) return;
      this.value = value;
      this.error = null;
    } catch (e) {
      if (seq !== this.#seq) return;
      this.error = messageOf(e);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  /** Asks the last question again (the Retry of an error). */
  retry(): void {
    if (this.#ask) void this.load(this.#ask);
  }
}
