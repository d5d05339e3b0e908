// The hard notes' Play buttons: one note at a time, its audio fetched from a run that was tested on it.
import { messageOf } from './api-list.svelte';
import { NoteAudioCache } from './note-audio';
import { Player } from './player.svelte';

/** Plays test notes of a data set through one of the runs evaluated on it. */
export class HardNotePlayer {
  readonly player = new Player();
  /** The note loaded (playing or not), or being fetched. */
  note = $state<string | null>(null);
  fetching = $state(false);
  error = $state<string | null>(null);
  #cache: NoteAudioCache | null = null;
  #seq = 0;

  /** Plays the note, or pauses/resumes it when it is the one loaded; `runId` names a run tested on it. */
  async toggle(runId: number, noteStr: string): Promise<void> {
    if (this.note === noteStr && this.player.loaded) return this.player.toggle();
    if (this.#cache?.runId !== runId) this.#cache = new NoteAudioCache(runId, 'test');
    const seq = ++this.#seq;
    this.player.unload();
    this.note = noteStr;
    this.error = null;
    this.fetching = true;
    try {
      const loaded = await this.#cache.get(noteStr);
      if (seq !== this.#seq) return;
      this.player.load(loaded.bytes, loaded.audio.seconds);
      await this.player.play();
    } catch (e) {
      if (seq === this.#seq) this.error = `No audio for ${noteStr}: ${messageOf(e)}`;
    } finally {
      if (seq === this.#seq) this.fetching = false;
    }
  }

  /** Stops and forgets the note (the view is leaving). */
  stop(): void {
    this.#seq++;
    this.player.unload();
    this.note = null;
  }
}
