import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { metadataProblem } from '../../../src-main/core/datasets/nsynth-metadata';
import { DatasetError, scanNsynth } from '../../../src-main/core/datasets/nsynth-scan';
import { encodeWav16, parseWavHeader, readPcm16, readWavInfo } from '../../../src-main/core/datasets/wav';
import { FAMILIES, NOTE_SAMPLES, SOURCES, type Split } from '../../../src-main/shared/constants';
import type { NsynthNote, Progress } from '../../../src-main/shared/types';
import { tempDir } from '../../helpers/tmp';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function newRoot(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

/** examples.json metadata of one note, as NSynth writes it. */
function meta(instrument: string, family: number, pitch: number, velocity = 100, source = 0): NsynthNote {
  const instrumentStr = `${FAMILIES[family]}_${SOURCES[source]}_${instrument}`;
  return {
    note: pitch * 1000 + velocity,
    note_str: `${instrumentStr}-${String(pitch).padStart(3, '0')}-${String(velocity).padStart(3, '0')}`,
    instrument: Number(instrument),
    instrument_str: instrumentStr,
    instrument_family: family,
    instrument_family_str: FAMILIES[family]!,
    instrument_source: source,
    instrument_source_str: SOURCES[source]!,
    pitch,
    velocity,
    sample_rate: 16000,
    qualities: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    qualities_str: [],
  };
}

/** A 4 s 16 kHz note: a sine whose pitch follows the MIDI number. */
function wav(pitch: number, samples = NOTE_SAMPLES, rate = 16000): Buffer {
  const f = 440 * 2 ** ((pitch - 69) / 12);
  const x = new Float32Array(samples);
  for (let i = 0; i < samples; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * f * i) / 16000);
  return encodeWav16(x, rate);
}

/** Writes one split: examples.json from `entries` (any values) and the given audio files. */
function writeSplit(
  root: string,
  split: Split,
  entries: Record<string, unknown>,
  audio: Record<string, Buffer>,
) {
  const dir = path.join(root, `nsynth-${split}`);
  fs.mkdirSync(path.join(dir, 'audio'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'examples.json'), JSON.stringify(entries, null, 4));
  for (const [name, data] of Object.entries(audio)) fs.writeFileSync(path.join(dir, 'audio', name), data);
}

/** Writes good notes (metadata + matching WAV) for one split. */
function writeGood(root: string, split: Split, notes: NsynthNote[]) {
  writeSplit(
    root,
    split,
    Object.fromEntries(notes.map((n) => [n.note_str, n])),
    Object.fromEntries(notes.map((n) => [`${n.note_str}.wav`, wav(n.pitch)])),
  );
}

function goodRoot(): string {
  const root = newRoot();
  writeGood(root, 'train', [
    meta('001', 0, 40),
    meta('001', 0, 41),
    meta('002', 3, 60),
    meta('003', 9, 72, 50, 2),
  ]);
  writeGood(root, 'valid', [meta('004', 0, 38), meta('005', 4, 64, 127, 1)]);
  writeGood(root, 'test', [meta('006', 4, 60), meta('007', 10, 62)]);
  return root;
}

describe('scanNsynth', () => {
  it('imports every split, counting notes per family, sorted by split then note', async () => {
    const root = goodRoot();
    const progress: Progress[] = [];
    const scan = await scanNsynth(root, { onProgress: (p) => progress.push(p) });
    expect(scan.skipped).toEqual([]);
    expect(scan.root).toBe(path.resolve(root));
    expect(scan.splits).toEqual({
      train: { notes: 4, families: { bass: 2, guitar: 1, synth_lead: 1 } },
      valid: { notes: 2, families: { bass: 1, keyboard: 1 } },
      test: { notes: 2, families: { keyboard: 1, vocal: 1 } },
    });
    expect(scan.notes.map((n) => `${n.split}/${n.noteStr}`)).toEqual([
      'train/bass_acoustic_001-040-100',
      'train/bass_acoustic_001-041-100',
      'train/guitar_acoustic_002-060-100',
      'train/synth_lead_synthetic_003-072-050',
      'valid/bass_acoustic_004-038-100',
      'valid/keyboard_electronic_005-064-127',
      'test/keyboard_acoustic_006-060-100',
      'test/vocal_acoustic_007-062-100',
    ]);
    expect(scan.notes[3]).toEqual({
      split: 'train',
      noteStr: 'synth_lead_synthetic_003-072-050',
      family: 9,
      source: 2,
      instrumentStr: 'synth_lead_synthetic_003',
      pitch: 72,
      velocity: 50,
      path: path.join(path.resolve(root), 'nsynth-train', 'audio', 'synth_lead_synthetic_003-072-050.wav'),
    });
    expect(scan.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(progress.at(-1)).toEqual({ phase: 'import test', done: 2, total: 2 });
    expect(progress.some((p) => p.phase === 'import train' && p.done === 4 && p.total === 4)).toBe(true);
  });

  it('gives a fingerprint that is stable, and moves with any change to audio or metadata', async () => {
    const root = goodRoot();
    const first = await scanNsynth(root);
    // Same files, other concurrency: same result, in the same order.
    const again = await scanNsynth(root, { concurrency: 1 });
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(again.notes).toEqual(first.notes);

    // One sample of one WAV.
    const file = path.join(root, 'nsynth-valid', 'audio', 'bass_acoustic_004-038-100.wav');
    const original = fs.readFileSync(file);
    const changed = Buffer.from(original);
    changed.writeInt16LE(changed.readInt16LE(44 + 2 * 1000) + 1, 44 + 2 * 1000);
    fs.writeFileSync(file, changed);
    const audioChanged = (await scanNsynth(root)).fingerprint;
    expect(audioChanged).not.toBe(first.fingerprint);
    fs.writeFileSync(file, original);
    expect((await scanNsynth(root)).fingerprint).toBe(first.fingerprint);

    // One metadata field the scan does not otherwise look at.
    const json = path.join(root, 'nsynth-test', 'examples.json');
    const entries = JSON.parse(fs.readFileSync(json, 'utf8')) as Record<string, NsynthNote>;
    entries['vocal_acoustic_007-062-100']!.qualities[2] = 1;
    fs.writeFileSync(json, JSON.stringify(entries));
    const metaChanged = (await scanNsynth(root)).fingerprint;
    expect(metaChanged).not.toBe(first.fingerprint);
    expect(metaChanged).not.toBe(audioChanged);
  });

  it('skips each bad note with a reason and imports the rest', async () => {
    const root = newRoot();
    const good = meta('001', 3, 60);
    const notes = {
      missing: meta('002', 3, 61),
      truncated: meta('003', 3, 62),
      float: meta('004', 3, 63),
      rate: meta('005', 3, 64),
      stereo: meta('006', 3, 65),
      short: meta('007', 3, 66),
      notWav: meta('008', 3, 67),
    };
    const float = wav(63);
    float.writeUInt16LE(3, 20);
    const stereo = wav(65);
    stereo.writeUInt16LE(2, 22);
    const { pitch: _omitPitch, velocity: _omitVelocity, ...noPitch } = meta('009', 3, 68);
    writeSplit(
      root,
      'test',
      {
        ...Object.fromEntries([good, ...Object.values(notes)].map((n) => [n.note_str, n])),
        'no-pitch': { ...noPitch, note_str: 'no-pitch' },
        kazoo: { ...meta('010', 3, 69), note_str: 'kazoo', instrument_family_str: 'kazoo' },
        mismatch: meta('011', 3, 70),
        'not-an-object': [1, 2],
        'bad-type': { ...meta('012', 3, 71), note_str: 'bad-type', pitch: '71' },
        'too-high': { ...meta('013', 3, 72), note_str: 'too-high', velocity: 128 },
      },
      {
        [`${good.note_str}.wav`]: wav(60),
        [`${notes.truncated.note_str}.wav`]: wav(62).subarray(0, 1044),
        [`${notes.float.note_str}.wav`]: float,
        [`${notes.rate.note_str}.wav`]: wav(64, NOTE_SAMPLES, 22050),
        [`${notes.stereo.note_str}.wav`]: stereo,
        [`${notes.short.note_str}.wav`]: wav(66, 16000),
        [`${notes.notWav.note_str}.wav`]: Buffer.from('ID3 this is an mp3, honest'),
      },
    );
    const scan = await scanNsynth(root);
    expect(scan.notes.map((n) => n.noteStr)).toEqual([good.note_str]);
    expect(scan.splits).toEqual({ test: { notes: 1, families: { guitar: 1 } } });
    const json = 'nsynth-test/examples.json';
    const audio = (n: NsynthNote) => `nsynth-test/audio/${n.note_str}.wav`;
    // Sorted by file name within a split: audio/ before examples.json.
    expect(scan.skipped).toEqual([
      { file: audio(notes.missing), reason: 'missing wav file' },
      { file: audio(notes.truncated), reason: 'truncated: 1000 of 128000 data bytes present' },
      { file: audio(notes.float), reason: 'not integer PCM (format 3)' },
      { file: audio(notes.rate), reason: 'sample rate 22050 Hz, expected 16000 Hz' },
      { file: audio(notes.stereo), reason: '2 channels, expected mono' },
      { file: audio(notes.short), reason: 'only 16000 samples, expected 64000' },
      { file: audio(notes.notWav), reason: 'not a RIFF/WAVE file' },
      { file: `${json}#bad-type`, reason: "pitch is '71', expected integer" },
      { file: `${json}#kazoo`, reason: "unknown instrument family 'kazoo'" },
      { file: `${json}#mismatch`, reason: "key differs from note_str 'guitar_acoustic_011-070-100'" },
      { file: `${json}#no-pitch`, reason: 'missing keys: pitch, velocity' },
      { file: `${json}#not-an-object`, reason: 'entry is an array, not an object' },
      { file: `${json}#too-high`, reason: 'velocity 128 is outside 0-127' },
    ]);
  });

  it('reads past chunks of any size before the audio (a large LIST of tags)', async () => {
    const root = newRoot();
    const n = meta('001', 3, 60);
    // RIFF header and fmt chunk, then a LIST chunk larger than any first read, then data.
    const plain = wav(60);
    const list = Buffer.alloc(8 + 300_000, 0x41);
    list.write('LIST', 0, 'ascii');
    list.writeUInt32LE(300_000, 4);
    const tagged = Buffer.concat([plain.subarray(0, 36), list, plain.subarray(36)]);
    tagged.writeUInt32LE(tagged.length - 8, 4);
    writeSplit(root, 'test', { [n.note_str]: n }, { [`${n.note_str}.wav`]: tagged });
    const scan = await scanNsynth(root);
    expect(scan.skipped).toEqual([]);
    expect(scan.notes.map((x) => x.noteStr)).toEqual([n.note_str]);
    const file = scan.notes[0]!.path;
    const info = readWavInfo(file);
    expect(info).toMatchObject({
      format: 1,
      channels: 1,
      sampleRate: 16000,
      dataOffset: 36 + list.length + 8,
    });
    expect(info.dataBytes).toBe(NOTE_SAMPLES * 2);
    // The samples are the note's, not the tags' bytes.
    const direct = parseWavHeader(plain, plain.length);
    const fromPlain = new Float32Array(4);
    for (let i = 0; i < 4; i++) fromPlain[i] = plain.readInt16LE(direct.dataOffset + 2 * i + 200) / 32768;
    expect(Array.from(readPcm16(file, 100, 4, info))).toEqual(Array.from(fromPlain));
  });

  it('checks metadata field by field', () => {
    const n = meta('001', 1, 60);
    const key = n.note_str;
    expect(metadataProblem(key, n)).toBeUndefined();
    expect(metadataProblem(key, { ...n, instrument_family: 2 })).toBe(
      "instrument_family 2 does not match instrument_family_str 'brass'",
    );
    expect(metadataProblem(key, { ...n, instrument_source_str: 'steam' })).toBe(
      "unknown instrument source 'steam'",
    );
    expect(metadataProblem(key, { ...n, sample_rate: 44100 })).toBe('sample_rate 44100, expected 16000');
    expect(metadataProblem(key, { ...n, pitch: -1 })).toBe('pitch -1 is outside 0-127');
    expect(metadataProblem(key, { ...n, qualities: 'bright' })).toBe(
      "qualities is 'bright', expected integer array",
    );
    expect(metadataProblem('../x', { ...n, note_str: '../x' })).toBe('note_str is not a plain file name');
    expect(metadataProblem(key, null)).toBe('entry is null, not an object');
  });

  it('keeps the first of two entries with the same key', async () => {
    const root = newRoot();
    const n = meta('001', 2, 60);
    writeGood(root, 'valid', [n]);
    const json = path.join(root, 'nsynth-valid', 'examples.json');
    const text = JSON.stringify(n);
    fs.writeFileSync(json, `{"${n.note_str}": ${text}, "${n.note_str}": ${text}}`);
    const scan = await scanNsynth(root);
    expect(scan.splits.valid?.notes).toBe(1);
    expect(scan.skipped).toEqual([
      { file: `nsynth-valid/examples.json#${n.note_str}`, reason: 'duplicate key; the first entry is kept' },
    ]);
  });

  it('stops with the file and position when an examples.json is not valid JSON', async () => {
    const root = goodRoot();
    fs.writeFileSync(
      path.join(root, 'nsynth-test', 'examples.json'),
      '{\n    "a": {"note": 1},\n    "b": {"note": ,}\n}\n',
    );
    const err = await scanNsynth(root).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toBe(
      "nsynth-test/examples.json is not valid JSON at line 3, column 19: unexpected ','",
    );

    // A truncated file too.
    const valid = path.join(root, 'nsynth-valid', 'examples.json');
    fs.writeFileSync(valid, fs.readFileSync(valid, 'utf8').slice(0, 300));
    await expect(scanNsynth(root)).rejects.toThrow(
      /^nsynth-valid\/examples.json is not valid JSON at line \d+, column \d+: unexpected end of file/,
    );
  });

  it('refuses a root the file system cannot look at, in one line', async () => {
    await expect(scanNsynth(`/tmp/${'x'.repeat(5000)}`)).rejects.toThrow(/cannot be read \(ENAMETOOLONG\)/);
    await expect(scanNsynth(`/tmp/${'x'.repeat(5000)}`)).rejects.toThrow(DatasetError);
  });

  it('refuses a root without splits, or with a split missing its parts', async () => {
    const root = newRoot();
    await expect(scanNsynth(root)).rejects.toThrow(DatasetError);
    await expect(scanNsynth(root)).rejects.toThrow(
      /No NSynth split in .*nsynth-train, nsynth-valid or nsynth-test/,
    );
    await expect(scanNsynth(path.join(root, 'nope'))).rejects.toThrow(/is not a folder/);
    fs.mkdirSync(path.join(root, 'nsynth-train', 'audio'), { recursive: true });
    await expect(scanNsynth(root)).rejects.toThrow('nsynth-train has no examples.json file');
    fs.writeFileSync(path.join(root, 'nsynth-train', 'examples.json'), '{}');
    fs.rmdirSync(path.join(root, 'nsynth-train', 'audio'));
    await expect(scanNsynth(root)).rejects.toThrow('nsynth-train has no audio folder');
  });

  it('can be cancelled', async () => {
    const root = goodRoot();
    const controller = new AbortController();
    controller.abort();
    await expect(scanNsynth(root, { signal: controller.signal })).rejects.toThrow(/abort/i);
    // Cancelling from a progress report, mid-split.
    const later = new AbortController();
    const scan = scanNsynth(root, {
      signal: later.signal,
      concurrency: 1,
      onProgress: (p) => p.phase === 'import train' && later.abort(),
    });
    await expect(scan).rejects.toThrow(/abort/i);
  });
});
