import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { FAMILIES, NOTE_SAMPLES, SAMPLE_RATE, SOURCES, SPLITS, type Split } from '../../shared/constants';
import type { NoteRecord, NsynthNote, ProgressFn, SkippedFile, SplitSummary } from '../../shared/types';
import { JsonSyntaxError, readTopLevelEntries } from './json-stream';
import { fdReader, nsynthWavProblem, walkWavChunks, WavError, type ByteReader } from './wav';
import { errorKind } from '../errors';

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
const READ_CHUNK = 256 * 1024;
const PROGRESS_MS = 250;

type FieldType = 'integer' | 'string' | 'number' | 'integer[]' | 'string[]';
const FIELDS: Record<string, FieldType> = {
  note: 'integer',
  note_str: 'string',
  instrument: 'integer',
  instrument_str: 'string',
  instrument_family: 'integer',
  instrument_family_str: 'string',
  instrument_source: 'integer',
  instrument_source_str: 'string',
  pitch: 'integer',
  velocity: 'integer',
  sample_rate: 'number',
  qualities: 'integer[]',
  qualities_str: 'string[]',
};

/** A note whose metadata passed, waiting for its WAV to be checked. */
interface Candidate {
  record: NoteRecord;
  metaHash: string;
}

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

/** Why an examples.json entry cannot be a note, or undefined. */
export function metadataProblem(key: string, value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `entry is ${describe(value)}, not an object`;
  }
  const v = value as Record<string, unknown>;
  const missing = Object.keys(FIELDS).filter((k) => !Object.hasOwn(v, k));
  if (missing.length) return `missing key${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`;
  const wrong = Object.entries(FIELDS)
    .filter(([k, type]) => !hasType(v[k], type))
    .map(
      ([k, type]) => `${k} is ${describe(v[k])}, expected ${type === 'integer[]' ? 'integer array' : type}`,
    );
  if (wrong.length) return wrong.join('; ');
  const n = v as unknown as NsynthNote;
  if (n.note_str !== key) return `key differs from note_str '${n.note_str}'`;
  // note_str names the WAV file: nothing that could step outside the audio folder.
  if (!/^[^/\\\0]+$/.test(key) || key === '.' || key === '..') return 'note_str is not a plain file name';
  const family = (FAMILIES as readonly string[]).indexOf(n.instrument_family_str);
  if (family < 0) return `unknown instrument family '${n.instrument_family_str}'`;
  if (family !== n.instrument_family) {
    return `instrument_family ${n.instrument_family} does not match instrument_family_str '${n.instrument_family_str}'`;
  }
  const source = (SOURCES as readonly string[]).indexOf(n.instrument_source_str);
  if (source < 0) return `unknown instrument source '${n.instrument_source_str}'`;
  if (source !== n.instrument_source) {
    return `instrument_source ${n.instrument_source} does not match instrument_source_str '${n.instrument_source_str}'`;
  }
  for (const k of ['pitch', 'velocity'] as const) {
    if (n[k] < 0 || n[k] > 127) return `${k} ${n[k]} is outside 0-127`;
  }
  if (n.sample_rate !== SAMPLE_RATE) return `sample_rate ${n.sample_rate}, expected ${SAMPLE_RATE}`;
  return undefined;
}

function hasType(x: unknown, type: FieldType): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(x);
    case 'number':
      return typeof x === 'number';
    case 'string':
      return typeof x === 'string';
    case 'integer[]':
      return Array.isArray(x) && x.every((e) => Number.isInteger(e));
    case 'string[]':
      return Array.isArray(x) && x.every((e) => typeof e === 'string');
  }
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return `'${x.length > 40 ? `${x.slice(0, 40)}…` : x}'`;
  if (typeof x === 'object') return 'an object';
  return typeof x === 'number' || typeof x === 'boolean' ? String(x) : typeof x;
}

function toCandidate(root: string, split: Split, v: Record<string, unknown>): Candidate {
  const n = v as unknown as NsynthNote;
  return {
    record: {
      split,
      noteStr: n.note_str,
      family: n.instrument_family,
      source: n.instrument_source,
      instrumentStr: n.instrument_str,
      pitch: n.pitch,
      velocity: n.velocity,
      path: path.join(root, `nsynth-${split}`, 'audio', `${n.note_str}.wav`),
    },
    // Every key, extra ones included, so any metadata change moves the fingerprint.
    metaHash: createHash('sha1').update(canonicalJson(v)).digest('hex'),
  };
}

/** JSON with object keys sorted at every level, so equal data gives equal text. */
export function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (typeof x === 'object' && x !== null) {
    const o = x as Record<string, unknown>;
    const keys = Object.keys(o).sort(compare);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(x) ?? 'null';
}

/** Checks one WAV and hashes its bytes in chunks; returns the sha1 or why it is skipped. */
async function checkWav(file: string, buffer: Buffer): Promise<string | { hash: string }> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'missing wav file' : `cannot open: ${(e as Error).message}`;
  }
  try {
    const stat = await fh.stat();
    if (!stat.isFile()) return 'not a regular file';
    let { bytesRead } = await fh.read(buffer, 0, buffer.length, 0);
    let problem: string | undefined;
    try {
      // Chunk headers past the first read (a large LIST chunk before data) are read from the file.
      const first = buffer.subarray(0, bytesRead);
      const fromFile = fdReader(fh.fd);
      const read: ByteReader = (offset, length) =>
        offset + length <= first.length ? first.subarray(offset, offset + length) : fromFile(offset, length);
      problem = nsynthWavProblem(walkWavChunks(read, stat.size), SAMPLE_RATE, NOTE_SAMPLES);
    } catch (e) {
      if (!(e instanceof WavError)) throw e;
      problem = e.message;
    }
    if (problem) return problem;
    const hash = createHash('sha1');
    // Stops at the stat'ed size: an NSynth file fits one read, so no extra read to find EOF.
    for (let pos = 0; bytesRead > 0;) {
      hash.update(buffer.subarray(0, bytesRead));
      pos += bytesRead;
      if (pos >= stat.size) break;
      ({ bytesRead } = await fh.read(buffer, 0, buffer.length, pos));
    }
    return { hash: hash.digest('hex') };
  } catch (e) {
    return `cannot read: ${(e as Error).message}`;
  } finally {
    await fh.close();
  }
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
