// Notes' audio as the audition view plays and draws it, fetched once per note while the view lives.
import type { NoteAudio } from '../../../src-main/shared/contract';
import { api } from './client';
import { base64ToBytes, decodeWav, type PcmAudio } from './wav';

/** A note's WAV bytes and its decoded samples. */
export interface LoadedNote {
  audio: NoteAudio;
  bytes: Uint8Array<ArrayBuffer>;
  pcm: PcmAudio;
}

/** Fetches and decodes notes of one run's split, keeping the last few (A/B/C switching is instant). */
export class NoteAudioCache {
  #entries = new Map<string, Promise<LoadedNote>>();

  constructor(
    readonly runId: number,
    readonly split: 'valid' | 'test',
    readonly size = 16,
  ) {}

  /** The note's audio; rejects with the API's reason (e.g. the data set is gone). */
  get(noteStr: string): Promise<LoadedNote> {
    let entry = this.#entries.get(noteStr);
    if (entry) {
      // Most recently used last.
      this.#entries.delete(noteStr);
    } else {
      const fresh = api.noteAudio(this.runId, this.split, noteStr).then((audio) => {
        const bytes = base64ToBytes(audio.wavBase64);
        return { audio, bytes, pcm: decodeWav(bytes) };
      });
      // A failure is not kept: the next ask tries again.
      fresh.catch(() => {
        if (this.#entries.get(noteStr) === fresh) this.#entries.delete(noteStr);
      });
      entry = fresh;
    }
    this.#entries.set(noteStr, entry);
    while (this.#entries.size > this.size) this.#entries.delete(this.#entries.keys().next().value!);
    return entry;
  }
}
