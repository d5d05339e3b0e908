// One examples.json entry of NSynth: whether it can be a note, and the note it describes.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { FAMILIES, SAMPLE_RATE, SOURCES, type Split } from '../../shared/constants';
import type { NoteRecord, NsynthNote } from '../../shared/types';

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
export interface Candidate {
  record: NoteRecord;
  metaHash: string;
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

// Whether a field's value has the type NSynth gives it.
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

// A value as a message quotes it: short strings in quotes, other things by kind.
function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return `'${x.length > 40 ? `${x.slice(0, 40)}…` : x}'`;
  if (typeof x === 'object') return 'an object';
  return typeof x === 'number' || typeof x === 'boolean' ? String(x) : typeof x;
}

/** The note an accepted entry describes, with the hash of its metadata for the fingerprint. */
export function toCandidate(root: string, split: Split, v: Record<string, unknown>): Candidate {
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

/** Code-unit order: the same on every machine, unlike localeCompare. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
