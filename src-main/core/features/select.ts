import type { Split } from '../../shared/constants';
import type { NoteRecord } from '../../shared/types';

/** FNV-1a 32-bit hash of a string's UTF-16 code units: a stable, well-spread sort key. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function byNoteStr(a: NoteRecord, b: NoteRecord): number {
  return a.noteStr < b.noteStr ? -1 : a.noteStr > b.noteStr ? 1 : 0;
}

/**
 * The notes of `split` a feature cache holds, ordered by note_str. With `maxPerFamily` > 0,
 * each family keeps its first `maxPerFamily` notes in order of a hash of note_str: a balanced
 * subset that is the same on every machine and spread over instruments, pitches and velocities.
 */
export function selectNotes(notes: readonly NoteRecord[], split: Split, maxPerFamily: number): NoteRecord[] {
  const inSplit = notes.filter((n) => n.split === split);
  if (maxPerFamily <= 0) return inSplit.sort(byNoteStr);
  const families = new Map<number, { note: NoteRecord; hash: number }[]>();
  for (const note of inSplit) {
    let list = families.get(note.family);
    if (!list) families.set(note.family, (list = []));
    list.push({ note, hash: fnv1a(note.noteStr) });
  }
  const kept: NoteRecord[] = [];
  for (const list of families.values()) {
    list.sort((a, b) => a.hash - b.hash || byNoteStr(a.note, b.note));
    for (const { note } of list.slice(0, maxPerFamily)) kept.push(note);
  }
  return kept.sort(byNoteStr);
}
