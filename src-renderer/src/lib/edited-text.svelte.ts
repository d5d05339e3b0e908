import { untrack } from 'svelte';

/**
 * A text field over a stored value that can change under it (another field's save, a refetch when a
 * run ends): the field follows the stored value while it holds no edit of the user's, and keeps an
 * edit, whatever arrives, until it is saved (the stored value then equals it) or undone.
 */
export class EditedText {
  value = $state('');
  // The stored value the field last followed: the field holds an edit while it differs from it.
  #followed: string;

  constructor(stored: string) {
    this.value = stored;
    this.#followed = stored;
  }

  /** The stored value now (call it from an $effect that reads it). */
  follow(stored: string): void {
    untrack(() => {
      if (this.value === this.#followed) this.value = stored;
    });
    this.#followed = stored;
  }

  /** Drops the edit: back to the stored value. */
  undo(stored: string): void {
    this.value = stored;
    this.#followed = stored;
  }
}
