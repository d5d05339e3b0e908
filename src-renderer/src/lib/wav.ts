// WAV files as the API hands them over (base64 of a 16-bit PCM file), decoded here rather than
// with AudioContext: the spectrogram needs the samples, and decoding must not depend on an audio device.

/** Decoded PCM audio: the first channel as floats in [-1, 1). */
export interface PcmAudio {
  sampleRate: number;
  channels: number;
  samples: Float32Array;
}

/** The bytes of a base64 string. */
export function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A WAV file that cannot be read, with what is wrong with it. */
export class WavError extends Error {
  override name = 'WavError';
}

/** Reads a RIFF/WAVE file of 16-bit integer PCM; keeps the first channel. */
export function decodeWav(bytes: Uint8Array): PcmAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE')
    throw new WavError('Not a WAV file (no RIFF/WAVE header).');
  let format: { channels: number; sampleRate: number; bits: number; code: number } | null = null;
  // Chunks follow the 12-byte header; each is padded to an even length.
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      format = {
        code: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!format) throw new WavError('The WAV file has its data before its format chunk.');
      if ((format.code !== 1 && format.code !== 0xfffe) || format.bits !== 16) {
        throw new WavError(
          `Only 16-bit PCM WAV is supported (this one: format ${format.code}, ${format.bits} bits).`,
        );
      }
      const frameBytes = 2 * format.channels;
      const frames = Math.floor(Math.min(size, bytes.length - body) / frameBytes);
      const samples = new Float32Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = view.getInt16(body + i * frameBytes, true) / 32768;
      return { sampleRate: format.sampleRate, channels: format.channels, samples };
    }
    at = body + size + (size % 2);
  }
  throw new WavError('The WAV file has no data chunk.');
}

/** Min and max of the samples in each of `width` equal columns, for drawing a waveform. */
export function peaks(samples: Float32Array, width: number): { min: Float32Array; max: Float32Array } {
  const min = new Float32Array(width);
  const max = new Float32Array(width);
  const per = samples.length / width;
  for (let x = 0; x < width; x++) {
    const from = Math.floor(x * per);
    const to = Math.max(from + 1, Math.floor((x + 1) * per));
    let lo = 0;
    let hi = 0;
    for (let i = from; i < to && i < samples.length; i++) {
      const v = samples[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min[x] = lo;
    max[x] = hi;
  }
  return { min, max };
}
