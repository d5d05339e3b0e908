import fs from 'node:fs';
import { errorKind } from '../errors';

/** What a WAV header says about its audio. */
export interface WavInfo {
  /** 1 = integer PCM, 3 = IEEE float, 0xfffe = extensible (format in the sub-format GUID). */
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Bytes of sample data the header declares. */
  dataBytes: number;
  /** Bytes of sample data actually present in the file. */
  availableBytes: number;
}

/** A file that is not a WAV file we can read, with the reason a user can act on. */
export const WavError = errorKind('WavError', 'bad-input');
export type WavError = InstanceType<typeof WavError>;

/** Reads `length` bytes at `offset` of a file, or fewer at its end. */
export type ByteReader = (offset: number, length: number) => Buffer;

// A WAV has a handful of chunks; a file that claims thousands is not one we should keep walking.
const MAX_CHUNKS = 4096;

/**
 * Walks a RIFF/WAVE file's chunks up to its data chunk, reading only chunk headers and `fmt `,
 * however large the chunks before `data` (a LIST of tags, a broadcast-wave `bext`, ...) are.
 */
export function walkWavChunks(read: ByteReader, fileSize: number): WavInfo {
  const riff = read(0, 12);
  if (
    riff.length < 12 ||
    riff.toString('ascii', 0, 4) !== 'RIFF' ||
    riff.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw new WavError('not a RIFF/WAVE file');
  }
  let offset = 12;
  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes' | 'availableBytes'> | undefined;
  for (let n = 0; n < MAX_CHUNKS && offset + 8 <= fileSize; n++) {
    const head = read(offset, 8);
    if (head.length < 8) break;
    const id = head.toString('ascii', 0, 4);
    const size = head.readUInt32LE(4);
    const body = offset + 8;
    if (id === 'fmt ') {
      const chunk = read(body, Math.min(size, 40));
      if (size < 16 || chunk.length < 16) throw new WavError('truncated fmt chunk');
      let format = chunk.readUInt16LE(0);
      if (format === 0xfffe && chunk.length >= 26) format = chunk.readUInt16LE(24);
      fmt = {
        format,
        channels: chunk.readUInt16LE(2),
        sampleRate: chunk.readUInt32LE(4),
        bitsPerSample: chunk.readUInt16LE(14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new WavError('data chunk before fmt chunk');
      return { ...fmt, dataOffset: body, dataBytes: size, availableBytes: Math.max(0, fileSize - body) };
    }
    offset = body + size + (size & 1);
  }
  throw new WavError(fmt ? 'no data chunk' : 'no fmt chunk');
}

/** Parses the chunks of a WAV file image; `fileSize` tells truncation apart when `bytes` is its start. */
export function parseWavHeader(bytes: Buffer, fileSize: number): WavInfo {
  // Past the bytes given, reads come back short and the walk stops there.
  return walkWavChunks((offset, length) => bytes.subarray(offset, offset + length), fileSize);
}

/** A reader of an open file descriptor. */
export function fdReader(fd: number): ByteReader {
  return (offset, length) => {
    const buf = Buffer.alloc(length);
    const n = fs.readSync(fd, buf, 0, length, offset);
    return buf.subarray(0, n);
  };
}

/** Reads and parses the header of a WAV file without reading its samples. */
export function readWavInfo(file: string): WavInfo {
  const fd = fs.openSync(file, 'r');
  try {
    return walkWavChunks(fdReader(fd), fs.fstatSync(fd).size);
  } finally {
    fs.closeSync(fd);
  }
}

/** Why a WAV cannot be an NSynth note (16-bit PCM, mono, at `rate`, complete), or undefined. */
export function nsynthWavProblem(info: WavInfo, rate: number, minSamples: number): string | undefined {
  if (info.format !== 1) return `not integer PCM (format ${info.format})`;
  if (info.bitsPerSample !== 16) return `${info.bitsPerSample}-bit samples, expected 16-bit`;
  if (info.channels !== 1) return `${info.channels} channels, expected mono`;
  if (info.sampleRate !== rate) return `sample rate ${info.sampleRate} Hz, expected ${rate} Hz`;
  if (info.availableBytes < info.dataBytes) {
    return `truncated: ${info.availableBytes} of ${info.dataBytes} data bytes present`;
  }
  if (info.dataBytes / 2 < minSamples) return `only ${info.dataBytes / 2} samples, expected ${minSamples}`;
  return undefined;
}

/**
 * Reads `count` mono 16-bit samples starting at sample `start` as floats in [-1, 1).
 * Missing samples past the end of the data are zeros.
 */
export function readPcm16(file: string, start: number, count: number, info?: WavInfo): Float32Array {
  const wav = info ?? readWavInfo(file);
  const out = new Float32Array(count);
  const have = Math.max(0, Math.min(count, Math.floor(wav.dataBytes / 2) - start));
  if (have === 0) return out;
  const buf = Buffer.alloc(have * 2);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, buf, 0, buf.length, wav.dataOffset + start * 2);
  } finally {
    fs.closeSync(fd);
  }
  for (let i = 0; i < have; i++) out[i] = buf.readInt16LE(i * 2) / 32768;
  return out;
}

/** Encodes mono float samples in [-1, 1] as a 16-bit PCM WAV file image. */
export function encodeWav16(samples: Float32Array, sampleRate: number): Buffer {
  const buf = Buffer.alloc(44 + samples.length * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + samples.length * 2, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(samples.length * 2, 40);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]!));
    buf.writeInt16LE(Math.round(s < 0 ? s * 32768 : s * 32767), 44 + i * 2);
  }
  return buf;
}
