// One note playing at a time, from a WAV file held in memory (a Blob URL, revoked when replaced).
// One at a time in the whole app too: a player that starts pauses the one that was sounding (the
// embedding map's note, played on into the audition view, stops when the audition plays its own).

/** An HTMLAudioElement over in-memory WAV bytes, with its position as state for a playhead. */
export class Player {
  /** The player that last started playing. */
  static #sounding: Player | null = null;

  /** Seconds into the note; follows playback every animation frame. */
  time = $state(0);
  duration = $state(0);
  playing = $state(false);
  /** Why the audio could not play, if it could not. */
  error = $state<string | null>(null);

  #audio: HTMLAudioElement | null = null;
  #url: string | null = null;
  #frame = 0;

  /** Whether a note is loaded. */
  get loaded(): boolean {
    return this.#audio !== null;
  }

  /**
   * Loads a note, paused at 0 unless told otherwise: `keepTime` starts it where the last note was
   * (switching between A/B/C compares the same moment of each), `resume` plays on if one was playing.
   */
  load(
    bytes: Uint8Array<ArrayBuffer>,
    seconds: number,
    options: { keepTime?: boolean; resume?: boolean } = {},
  ): void {
    const at = options.keepTime ? Math.min(this.time, seconds) : 0;
    const resume = options.resume === true && this.playing;
    this.unload();
    this.#url = URL.createObjectURL(new Blob([bytes], { type: 'audio/wav' }));
    const audio = new Audio(this.#url);
    audio.preload = 'auto';
    // Events of a note already replaced (queued before its unload) must not touch the new one's state.
    const on = (type: string, handle: () => void) =>
      audio.addEventListener(type, () => this.#audio === audio && handle());
    on('play', () => {
      if (Player.#sounding !== this) Player.#sounding?.pause();
      Player.#sounding = this;
      this.playing = true;
      this.#follow();
    });
    on('pause', () => {
      this.playing = false;
      this.time = audio.currentTime;
    });
    on('ended', () => {
      this.playing = false;
      this.time = audio.duration || seconds;
    });
    on('error', () => {
      this.error = `The browser could not play this note (${audio.error?.message || `media error ${audio.error?.code ?? '?'}`}).`;
    });
    audio.currentTime = at;
    this.#audio = audio;
    this.duration = seconds;
    this.time = at;
    this.error = null;
    if (resume) void this.play();
  }

  /** Stops and forgets the loaded note. */
  unload(): void {
    cancelAnimationFrame(this.#frame);
    if (this.#audio) {
      const audio = this.#audio;
      this.#audio = null;
      audio.pause();
      audio.removeAttribute('src');
      // Releases the decoder now rather than at garbage collection.
      audio.load();
    }
    if (this.#url) URL.revokeObjectURL(this.#url);
    this.#url = null;
    this.playing = false;
  }

  async play(): Promise<void> {
    const audio = this.#audio;
    if (!audio) return;
    if (audio.ended || audio.currentTime >= this.duration) audio.currentTime = 0;
    try {
      await audio.play();
    } catch (e) {
      // A pause() or a new note interrupting play() is no error.
      if (e instanceof DOMException && e.name === 'AbortError') return;
      this.error = `The browser refused to play: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  pause(): void {
    this.#audio?.pause();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else void this.play();
  }

  /** Moves the playhead to a time in seconds. */
  seek(seconds: number): void {
    if (!this.#audio) return;
    const t = Math.max(0, Math.min(this.duration, seconds));
    this.#audio.currentTime = t;
    this.time = t;
  }

  #follow(): void {
    cancelAnimationFrame(this.#frame);
    const step = () => {
      const audio = this.#audio;
      if (!audio) return;
      this.time = audio.currentTime;
      if (!audio.paused) this.#frame = requestAnimationFrame(step);
    };
    this.#frame = requestAnimationFrame(step);
  }
}
