// One NSynth WAV: whether it is the 4 s, 16 kHz, 16-bit mono note it should be, and the hash of its bytes.
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import { NOTE_SAMPLES, SAMPLE_RATE } from '../../shared/constants';
import { fdReader, nsynthWavProblem, walkWavChunks, WavError, type ByteReader } from './wav';

/** Bytes read at a time; an NSynth WAV (128 kB) fits one read. */
export const READ_CHUNK = 256 * 1024;

/** Checks one WAV and hashes its bytes in chunks; returns the sha1 or why it is skipped. */
export async function checkWav(file: string, buffer: Buffer): Promise<string | { hash: string }> {
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
