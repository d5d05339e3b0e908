// The sound of the audition: plays the note shown, fetches its A/B neighbours ahead, saves it as WAV.
import { messageOf } from './api-list.svelte';
import { saveFiles, shellName } from './client';
import { NoteAudioCache, type LoadedNote } from './note-audio';
import { Player } from './player.svelte';

/** The audio of one run's split in the audition view. */
export class AuditionAudio {
  readonly player = new Player();
  /** The note last loaded, with its samples for the waveform and spectrogram. */
  loaded = $state.raw<LoadedNote | null>(null);
  error = $state<string | null>(null);
  /** Where the last save went, or why it failed. */
  saveNote = $state<string | null>(null);
  readonly #cache: NoteAudioCache;
  #lastA: string | null = null;

  constructor(runId: number, split: 'test' | 'valid') {
    this.#cache = new NoteAudioCache(runId, split);
  }

  /**
   * Plays a note (A or one of its neighbours) and fetches `ahead` for instant switching. Another
   * A/B/C of the same A note keeps the moment; a new note starts at 0; both play on if playing.
   * Returns a function that drops the answer once another note is asked for.
   */
  play(noteStr: string, aStr: string, ahead: string[]): () => void {
    const keepTime = this.#lastA === aStr;
    this.#lastA = aStr;
    this.saveNote = null;
    this.error = null;
    let live = true;
    this.#cache.get(noteStr).then(
      (l) => {
        if (!live) return;
        this.loaded = l;
        this.error = null;
        this.player.load(l.bytes, l.audio.seconds, { keepTime, resume: true });
      },
      (e) => {
        if (!live) return;
        this.loaded = null;
        this.player.unload();
        this.error = `No audio: ${messageOf(e)}`;
      },
    );
    for (const n of ahead) this.#cache.get(n).catch(() => {});
    return () => (live = false);
  }

  /** Saves the loaded note as a WAV file when it is the one shown. */
  async save(shown: string | undefined): Promise<void> {
    const l = this.loaded;
    if (!l || l.audio.noteStr !== shown) return;
    try {
      const where = await saveFiles([
        { name: `${l.audio.noteStr}.wav`, mime: 'audio/wav', base64: l.audio.wavBase64 },
      ]);
      this.saveNote =
        where === null ? null : shellName === 'electron' ? `Saved to ${where}` : `Downloaded ${where}`;
    } catch (e) {
      this.saveNote = `Could not save: ${messageOf(e)}`;
    }
  }
}
