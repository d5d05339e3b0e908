import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { base64ToBytes, decodeWav, peaks, WavError } from '../../src-renderer/src/lib/wav';
import { tinyDataset } from '../helpers/tiny';

/** A WAV file built by hand: an optional odd-sized chunk before fmt, then 16-bit samples. */
function wav(
  samples: number[],
  options: { rate?: number; channels?: number; extra?: boolean; bits?: number } = {},
) {
  const { rate = 16000, channels = 1, extra = false, bits = 16 } = options;
  const chunks: Buffer[] = [];
  if (extra) {
    const body = Buffer.from('odd');
    const head = Buffer.alloc(8);
    head.write('LIST', 0);
    head.writeUInt32LE(body.length, 4);
    chunks.push(head, body, Buffer.alloc(1));
  }
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0);
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8);
  fmt.writeUInt16LE(channels, 10);
  fmt.writeUInt32LE(rate, 12);
  fmt.writeUInt32LE(rate * channels * 2, 16);
  fmt.writeUInt16LE(channels * 2, 20);
  fmt.writeUInt16LE(bits, 22);
  const data = Buffer.alloc(8 + samples.length * 2);
  data.write('data', 0);
  data.writeUInt32LE(samples.length * 2, 4);
  samples.forEach((s, i) => data.writeInt16LE(s, 8 + i * 2));
  chunks.push(fmt, data);
  const body = Buffer.concat(chunks);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0);
  riff.writeUInt32LE(body.length + 4, 4);
  riff.write('WAVE', 8);
  return new Uint8Array(Buffer.concat([riff, body]));
}

describe('decodeWav', () => {
  it('reads 16-bit mono samples as floats, past chunks it does not know', () => {
    const out = decodeWav(wav([0, 16384, -32768, 32767, -1], { rate: 22050, extra: true }));
    expect(out.sampleRate).toBe(22050);
    expect(out.channels).toBe(1);
    expect([...out.samples]).toEqual([0, 0.5, -1, 32767 / 32768, -1 / 32768]);
  });

  it('keeps the first channel of a stereo file', () => {
    const out = decodeWav(wav([100, -200, 300, -400], { channels: 2 }));
    expect([...out.samples]).toEqual([100 / 32768, 300 / 32768]);
  });

  it('refuses what it cannot read, saying why', () => {
    expect(() => decodeWav(new TextEncoder().encode('<html>not audio</html>'))).toThrow(WavError);
    expect(() => decodeWav(wav([1, 2], { bits: 8 }))).toThrow(/16-bit PCM/);
  });

  it('decodes a note of the data set the app rendered, the way base64 brings it', async () => {
    const root = await tinyDataset();
    const dir = path.join(root, 'nsynth-test', 'audio');
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.wav'))!;
    const bytes = fs.readFileSync(path.join(dir, file));
    const out = decodeWav(base64ToBytes(bytes.toString('base64')));
    expect(out.sampleRate).toBe(16000);
    expect(out.samples.length).toBe(64000);
    // The last sample is the file's last two bytes.
    expect(out.samples[63999]).toBe(bytes.readInt16LE(bytes.length - 2) / 32768);
    expect(Math.max(...out.samples.map(Math.abs))).toBeGreaterThan(0.01);
  });
});

describe('peaks', () => {
  it('gives each column the min and max of its samples', () => {
    const { min, max } = peaks(Float32Array.from([0, 0.5, -0.25, 0.1, -1, 0.2]), 3);
    expect([...min]).toEqual([0, -0.25, -1]);
    expect([...max]).toEqual([0.5, Math.fround(0.1), Math.fround(0.2)]);
  });
});
