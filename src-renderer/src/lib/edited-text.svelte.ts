import { untrack } from 'svelte';

/**
 * A text field over a stored value that can change under it (another field's save, a refetch when a
 * run ends): the field follows the stored value while it holds no edit of the user's, and keeps an
 * edit, whatever arrives, until it is saved (the stored value then equals it) or undone. Made while
 * a component initialises: it follows `stored` (a reader of the stored value) in an $effect.
 */
export class EditedText {
  value = $state('');
  readonly #stored: () => string;
  // The stored value the field last followed: the field holds an edit while it differs from it.
  #followed: string;

  constructor(stored: () => string) {
    this.#stored = stored;
    this.#followed = untrack(stored);
    this.value = this.#followed;
    $effect(() => this.#follow(stored()));
  }

  #follow(stored: string): void {
    untrack(() => {
      if (this.value === this.#followed) this.value = stored;
    });
    this.#followed = stored;
  }

  /** Drops the edit: back to the stored value. */
  undo(): void {
    this.#followed = this.#stored();
    this.value = this.#followed;
  }
}
