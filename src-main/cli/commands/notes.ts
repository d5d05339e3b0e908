import fs from 'node:fs';
import path from 'node:path';
import { FAMILIES, SOURCES } from '../../shared/constants';
import type { NotePrediction } from '../../shared/contract';
import { writeFileAtomic } from '../../core/reports/export';
import { choiceFlag, intFlag, parseFlags, UsageError } from '../args';
import type { CliContext } from '../context';
import { pct } from '../../shared/format';
import { alignedTable } from '../format-runs';
import { printJson } from '../output';

export const NOTES_USAGE = `Usage:
  timbre notes RUN_ID [--split test|valid] [--weights best|last] [--show wrong|right|all]
                      [--true FAMILY] [--pred FAMILY] [--sort confidence|margin|pitch|velocity|note]
                      [--limit N] [--json]
      The notes of a finished run's split with what the model predicted: by default the misclassified
      test notes, most confidently wrong first.
  timbre notes RUN_ID --wav NOTE --out FILE [--split test|valid|train]
      Save a note of the run's data set as a WAV file.
  timbre notes RUN_ID --history NOTE [--json]
      A validation note's predicted family after each epoch.`;

const SORTS = ['confidence', 'margin', 'pitch', 'velocity', 'note'] as const;

/** `timbre notes ...`: audition from the command line (list the mistakes, save their audio). */
export async function notesCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(
    argv,
    {
      split: { type: 'string' },
      weights: { type: 'string' },
      show: { type: 'string' },
      true: { type: 'string' },
      pred: { type: 'string' },
      sort: { type: 'string' },
      limit: { type: 'string' },
      wav: { type: 'string' },
      out: { type: 'string' },
      history: { type: 'string' },
      json: { type: 'boolean' },
    },
    NOTES_USAGE,
  );
  if (values.help) return console.log(NOTES_USAGE);
  if (positionals.length !== 1 || !/^\d+$/.test(positionals[0]!)) {
    throw new UsageError(`Give one run id.\n${NOTES_USAGE}`);
  }
  const runId = Number(positionals[0]);
  const wb = ctx.workbench();

  if (values.wav !== undefined) {
    if (!values.out) throw new UsageError(`--wav needs --out FILE.\n${NOTES_USAGE}`);
    const split = choiceFlag(values.split, 'split', ['train', 'valid', 'test'] as const, 'test')!;
    const audio = await wb.noteAudio(runId, split, values.wav);
    const out = path.resolve(values.out);
    if (fs.existsSync(out) && fs.statSync(out).isDirectory()) {
      throw new UsageError(
        `--out ${values.out} is a folder; give a file name such as ${path.join(values.out, `${values.wav}.wav`)}.`,
      );
    }
    writeFileAtomic(out, Buffer.from(audio.wavBase64, 'base64'));
    return console.log(`Saved ${audio.noteStr} (${audio.seconds.toFixed(2)} s) to ${out}`);
  }

  if (values.history !== undefined) {
    const h = await wb.noteHistory(runId, values.history);
    if (values.json) return printJson(h);
    console.log(`${h.noteStr} (true: ${FAMILIES[h.trueFamily]}), predicted after each epoch:`);
    console.log(
      alignedTable(
        ['epoch', 'predicted', ''],
        h.epochs.map((e) => [
          e.epoch,
          FAMILIES[e.predicted] ?? String(e.predicted),
          e.predicted === h.trueFamily ? 'right' : '',
        ]),
      ),
    );
    return;
  }

  const split = choiceFlag(values.split, 'split', ['valid', 'test'] as const, 'test')!;
  const weights = choiceFlag(values.weights, 'weights', ['best', 'last'] as const, 'best')!;
  const show = choiceFlag(values.show, 'show', ['wrong', 'right', 'all'] as const, 'wrong')!;
  const sort = choiceFlag(values.sort, 'sort', SORTS, 'confidence')!;
  const limit = intFlag(values.limit, 'limit', 1, 1_000_000, 50)!;
  const family = (flag: 'true' | 'pred') => {
    const v = values[flag];
    if (v === undefined) return undefined;
    const i = FAMILIES.indexOf(v as (typeof FAMILIES)[number]);
    if (i < 0) throw new UsageError(`--${flag} must be one of ${FAMILIES.join(', ')} (got "${v}")`);
    return i;
  };
  const [trueFamily, predFamily] = [family('true'), family('pred')];

  const set = await wb.listPredictions(runId, split, weights);
  const notes = set.notes
    .filter((n) => (show === 'all' ? true : (n.trueFamily === n.predicted) === (show === 'right')))
    .filter((n) => trueFamily === undefined || n.trueFamily === trueFamily)
    .filter((n) => predFamily === undefined || n.predicted === predFamily)
    .sort(ORDER[sort]);
  if (values.json) return printJson({ ...set, notes: notes.slice(0, limit), matching: notes.length });
  const what = show === 'wrong' ? 'misclassified' : show === 'right' ? 'correctly classified' : 'all';
  console.log(
    `Run ${runId}, ${split} split, ${weights} weights (epoch ${set.epoch ?? '-'}): accuracy ${pct(set.accuracy)}; ` +
      `${notes.length} ${what} notes${notes.length > limit ? `, the first ${limit} shown` : ''}.` +
      ` The model saw ${set.seen.start} to ${set.seen.start + set.seen.seconds} s of each note.`,
  );
  if (!notes.length) return;
  console.log(
    alignedTable(
      ['note', 'true', 'predicted', 'confidence', 'margin', 'runner-up', 'pitch', 'velocity', 'source'],
      notes
        .slice(0, limit)
        .map((n) => [
          n.noteStr,
          FAMILIES[n.trueFamily] ?? '?',
          FAMILIES[n.predicted] ?? '?',
          n.confidence.toFixed(3),
          n.margin.toFixed(3),
          FAMILIES[n.runnerUp] ?? '-',
          n.pitch,
          n.velocity,
          SOURCES[n.source] ?? '-',
        ]),
    ),
  );
}

const ORDER: Record<(typeof SORTS)[number], (a: NotePrediction, b: NotePrediction) => number> = {
  confidence: (a, b) => b.confidence - a.confidence || byNote(a, b),
  margin: (a, b) => b.margin - a.margin || byNote(a, b),
  pitch: (a, b) => a.pitch - b.pitch || byNote(a, b),
  velocity: (a, b) => a.velocity - b.velocity || byNote(a, b),
  note: (a, b) => byNote(a, b),
};

function byNote(a: NotePrediction, b: NotePrediction): number {
  return a.noteStr < b.noteStr ? -1 : a.noteStr > b.noteStr ? 1 : 0;
}
