import fs from 'node:fs/promises';
import { TopLevelTokenizer, type JsonEntry } from './json-tokenizer';

export { JsonSyntaxError } from './json-error';
export { MAX_ENTRY_CHARS, type JsonEntry } from './json-tokenizer';

/** Options of `readTopLevelEntries`. */
export interface ReadEntriesOptions {
  /** Bytes read at a time. Default 1 MiB; tests use a few bytes to cut tokens across reads. */
  chunkSize?: number;
  /** Name used in error messages. Default: the file path. */
  name?: string;
  signal?: AbortSignal;
}

/**
 * Streams the entries of a file whose top level is one JSON object, parsing each value on its
 * own, so memory stays at one chunk plus one entry however big the file is.
 * Throws JsonSyntaxError on the first syntax error (a truncated file included).
 */
export async function* readTopLevelEntries(
  file: string,
  options: ReadEntriesOptions = {},
): AsyncGenerator<JsonEntry> {
  const chunkSize = Math.max(1, options.chunkSize ?? 1 << 20);
  const tokenizer = new TopLevelTokenizer(options.name ?? file);
  const decoder = new TextDecoder('utf-8');
  const bytes = Buffer.allocUnsafe(chunkSize);
  const fh = await fs.open(file, 'r');
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const { bytesRead } = await fh.read(bytes, 0, chunkSize, null);
      if (bytesRead === 0) break;
      // stream: true keeps a multi-byte character cut by the chunk edge for the next decode.
      yield* tokenizer.push(decoder.decode(bytes.subarray(0, bytesRead), { stream: true }));
    }
    yield* tokenizer.push(decoder.decode());
    tokenizer.end();
  } finally {
    await fh.close();
  }
}
