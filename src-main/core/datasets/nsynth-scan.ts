import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { FAMILIES, SPLITS, type Split } from '../../shared/constants';
import type { NoteRecord, ProgressFn, SkippedFile, SplitSummary } from '../../shared/types';
import { errorKind } from '../errors';
import { JsonSyntaxError, readTopLevelEntries } from './json-stream';
import { compare, metadataProblem, toCandidate, type Candidate } from './nsynth-metadata';
import { checkWav, READ_CHUNK } from './nsynth-wav-check';

/** A data set root that cannot be imported at all, with a message a user can act on. */
export const DatasetError = errorKind('DatasetError', 'bad-input');
export type DatasetError = InstanceType<typeof DatasetError>;

/** What scanning an NSynth json/wav root finds. */
export interface ScanResult {
  /** Absolute root. */
  root: string;
  /** sha256 (64 hex) over every accepted note's split, name, metadata and WAV bytes. */
  fingerprint: string;
  /** Accepted notes, by split (train, valid, test) then noteStr; paths absolute. */
  notes: NoteRecord[];
  /** One entry per split present; `families` counts only families that have notes. */
  splits: Partial<Record<Split, SplitSummary>>;
  /** Notes passed over, by split then file. */
  skipped: SkippedFile[];
  seconds: number;
}

/** Options of `scanNsynth`. */
export interface ScanOptions {
  onProgress?: ProgressFn;
  signal?: AbortSignal;
  /** WAV files checked and hashed at once. Default 8. */
  concurrency?: number;
}

/** Bumped if what goes into the fingerprint changes, so old and new never collide. */
const FINGERPRINT_VERSION = 'timbre-nsynth-fingerprint v1\n';
const PROGRESS_MS = 250;

/**
 * Scans `<root>/nsynth-{train,valid,test}` (any of them): validates each examples.json entry
 * and its WAV, hashes the accepted ones, and lists the rest in `skipped` with a reason.
 * A bad note never stops the scan; a root with no split, an examples.json that is not valid
 * JSON, or a split without its audio folder throws DatasetError, because registering a data
 * set with a silently missing split is worse than asking the user to fix the file.
 */
export async function scanNsynth(root: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const started = performance.now();
  const abs = path.resolve(root);
  let rootStat: fs.Stats | undefined;
  try {
    rootStat = fs.statSync(abs, { throwIfNoEntry: false });
  } catch (err) {
    // A name too long for the file system, a folder we may not enter, a file in the way.
    throw new DatasetError(`${abs} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  if (!rootStat?.isDirectory()) {
    throw new DatasetError(`${abs} is not a folder; choose the folder that holds nsynth-train/-valid/-test.`);
  }
  const present = SPLITS.filter((s) => fs.existsSync(path.join(abs, `nsynth-${s}`)));
  if (present.length === 0) {
    throw new DatasetError(
      `No NSynth split in ${abs}: expected nsynth-train, nsynth-valid or nsynth-test folders, ` +
        'each with an examples.json and an audio folder.',
    );
  }
  // Fail on a broken layout before the long part, not after hashing gigabytes of train audio.
  for (const split of present) {
    for (const [name, what] of [
      ['examples.json', 'file'],
      ['audio', 'folder'],
    ] as const) {
      const stat = fs.statSync(path.join(abs, `nsynth-${split}`, name), { throwIfNoEntry: false });
      if (what === 'file' ? !stat?.isFile() : !stat?.isDirectory()) {
        throw new DatasetError(`nsynth-${split} has no ${name} ${what} in ${abs}.`);
      }
    }
  }
  const fingerprint = createHash('sha256').update(FINGERPRINT_VERSION);
  const notes: NoteRecord[] = [];
  const splits: Partial<Record<Split, SplitSummary>> = {};
  const skipped: SkippedFile[] = [];
  for (const split of present) {
    const accepted = await scanSplit(abs, split, opts, skipped, fingerprint);
    const families: Record<string, number> = {};
    const counts = new Array<number>(FAMILIES.length).fill(0);
    for (const n of accepted) counts[n.family]!++;
    FAMILIES.forEach((f, i) => counts[i] && (families[f] = counts[i]));
    splits[split] = { notes: accepted.length, families };
    for (const n of accepted) notes.push(n);
  }
  return {
    root: abs,
    fingerprint: fingerprint.digest('hex'),
    notes,
    splits,
    skipped,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Scans one split; appends its skipped files and fingerprint lines, returns its sorted notes. */
async function scanSplit(
  root: string,
  split: Split,
  opts: ScanOptions,
  skipped: SkippedFile[],
  fingerprint: ReturnType<typeof createHash>,
): Promise<NoteRecord[]> {
  const dir = `nsynth-${split}`;
  const jsonName = `${dir}/examples.json`;
  const report = throttle(opts.onProgress);
  const splitSkipped: SkippedFile[] = [];
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  // Pass 1: metadata only, so the WAV pass knows its total.
  try {
    for await (const { key, value } of readTopLevelEntries(path.join(root, dir, 'examples.json'), {
      name: jsonName,
      signal: opts.signal,
    })) {
      const file = `${jsonName}#${key}`;
      const problem = seen.has(key) ? 'duplicate key; the first entry is kept' : metadataProblem(key, value);
      seen.add(key);
      if (problem) splitSkipped.push({ file, reason: problem });
      else candidates.push(toCandidate(root, split, value as Record<string, unknown>));
      report({ phase: `read ${split}`, done: seen.size, total: 0 });
    }
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new DatasetError(e.message, { cause: e });
    if (opts.signal?.aborted) throw e;
    throw new DatasetError(`Cannot read ${jsonName}: ${(e as Error).message}`, { cause: e });
  }
  // Pass 2: WAVs, a few at a time; results land by index so the output does not depend on timing.
  const results = new Array<string | { hash: string }>(candidates.length);
  let next = 0;
  let done = 0;
  const phase = `import ${split}`;
  report({ phase, done, total: candidates.length }, true);
  const worker = async () => {
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    while (next < candidates.length) {
      opts.signal?.throwIfAborted();
      const i = next++;
      results[i] = await checkWav(candidates[i]!.record.path, buffer);
      report({ phase, done: ++done, total: candidates.length }, done === candidates.length);
    }
  };
  const concurrency = Number.isFinite(opts.concurrency) ? Math.max(1, Math.floor(opts.concurrency!)) : 8;
  await Promise.all(Array.from({ length: Math.min(concurrency, candidates.length) }, worker));

  const accepted: { record: NoteRecord; line: string }[] = [];
  candidates.forEach(({ record, metaHash }, i) => {
    const result = results[i]!;
    if (typeof result === 'string') {
      splitSkipped.push({ file: `${dir}/audio/${record.noteStr}.wav`, reason: result });
    } else {
      // The metadata enters as its own sha1 so only small strings are kept per note.
      accepted.push({ record, line: `${split}\t${record.noteStr}\t${metaHash}\t${result.hash}\n` });
    }
  });
  accepted.sort((a, b) => compare(a.record.noteStr, b.record.noteStr));
  for (const a of accepted) fingerprint.update(a.line);
  splitSkipped.sort((a, b) => compare(a.file, b.file));
  for (const s of splitSkipped) skipped.push(s); // not push(...x): 100k+ arguments overflow the stack
  return accepted.map((a) => a.record);
}

/** Passes on at most one report per PROGRESS_MS, plus the ones marked final. */
function throttle(onProgress: ProgressFn | undefined) {
  let last = 0;
  return (p: Parameters<ProgressFn>[0], force = false) => {
    if (!onProgress) return;
    const now = performance.now();
    if (!force && now - last < PROGRESS_MS) return;
    last = now;
    onProgress(p);
  };
}
