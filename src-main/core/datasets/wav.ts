import fs from 'node:fs';

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
export class WavError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavError';
  }
}

const HEADER_PROBE = 4096;

/** Parses RIFF/WAVE chunks from the start of a file; `fileSize` tells truncation apart. */
export function parseWavHeader(head: Buffer, fileSize: number): WavInfo {
  if (
    head.length < 12 ||
    head.toString('ascii', 0, 4) !== 'RIFF' ||
    head.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw new WavError('not a RIFF/WAVE file');
  }
  let offset = 12;
  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes' | 'availableBytes'> | undefined;
  while (offset + 8 <= head.length) {
    const id = head.toString('ascii', offset, offset + 4);
    const size = head.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (body + 16 > head.length) throw new WavError('truncated fmt chunk');
      let format = head.readUInt16LE(body);
      if (format === 0xfffe && size >= 26 && body + 26 <= head.length) format = head.readUInt16LE(body + 24);
      fmt = {
        format,
        channels: head.readUInt16LE(body + 2),
        sampleRate: head.readUInt32LE(body + 4),
        bitsPerSample: head.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new WavError('data chunk before fmt chunk');
      return { ...fmt, dataOffset: body, dataBytes: size, availableBytes: Math.max(0, fileSize - body) };
    }
    offset = body + size + (size & 1);
  }
  throw new WavError(fmt ? 'no data chunk' : 'no fmt chunk');
}

/** Reads and parses the header of a WAV file without reading its samples. */
export function readWavInfo(file: string): WavInfo {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(HEADER_PROBE, size));
    fs.readSync(fd, head, 0, head.length, 0);
    return parseWavHeader(head, size);
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
