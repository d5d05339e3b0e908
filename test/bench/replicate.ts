import fs from 'node:fs';
import path from 'node:path';
import { SPLITS, type Split } from '../../src-main/shared/constants';
import type { NsynthNote } from '../../src-main/shared/types';

/**
 * Makes an NSynth root of about `notes` notes from another one, each split scaled by the same
 * factor: fewer notes than the source keeps every n-th note; more repeats its notes under new
 * instrument names. The WAVs are hard links, so it costs no audio disk space. `notes` per split
 * (NSynth's own sizes, say) sets each split's count instead.
 */
export function replicateDataset(from: string, to: string, notes: number | Record<Split, number>): number {
  const splits = SPLITS.map((split) => {
    const file = path.join(from, `nsynth-${split}`, 'examples.json');
    return {
      split,
      entries: Object.values(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, NsynthNote>),
    };
  });
  const have = splits.reduce((n, s) => n + s.entries.length, 0);
  const scale = typeof notes === 'number' ? notes / have : 0;
  let written = 0;
  for (const { split, entries } of splits) {
    const dir = path.join(to, `nsynth-${split}`);
    fs.mkdirSync(path.join(dir, 'audio'), { recursive: true });
    const n = entries.length;
    const want = n === 0 ? 0 : typeof notes === 'number' ? Math.max(1, Math.round(n * scale)) : notes[split];
    const out: Record<string, NsynthNote> = {};
    for (let i = 0; i < want; i++) {
      // Shrinking: evenly spaced notes (every instrument keeps some); growing: whole copies, then part of one.
      const e = want <= n ? entries[Math.floor((i * n) / want)]! : entries[i % n]!;
      const c = want <= n ? 0 : Math.floor(i / n);
      const instrumentStr = c === 0 ? e.instrument_str : `${e.instrument_str}x${c}`;
      const noteStr = `${instrumentStr}-${String(e.pitch).padStart(3, '0')}-${String(e.velocity).padStart(3, '0')}`;
      out[noteStr] = { ...e, note_str: noteStr, instrument_str: instrumentStr, note: written };
      const link = path.join(dir, 'audio', `${noteStr}.wav`);
      if (!fs.existsSync(link))
        fs.linkSync(path.join(from, `nsynth-${split}`, 'audio', `${e.note_str}.wav`), link);
      written++;
    }
    fs.writeFileSync(path.join(dir, 'examples.json'), JSON.stringify(out));
  }
  return written;
}
