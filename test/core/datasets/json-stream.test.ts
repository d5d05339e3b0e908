import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  JsonSyntaxError,
  readTopLevelEntries,
  type JsonEntry,
  type ReadEntriesOptions,
} from '../../../src-main/core/datasets/json-stream';
import { tempDir } from '../../helpers/tmp';

const tmp = tempDir();
afterAll(tmp.cleanup);
let files = 0;

function write(text: string): string {
  const file = path.join(tmp.dir, `f${files++}.json`);
  fs.writeFileSync(file, text);
  return file;
}

async function read(file: string, options: ReadEntriesOptions = {}): Promise<JsonEntry[]> {
  const out: JsonEntry[] = [];
  for await (const e of readTopLevelEntries(file, { name: 'x.json', ...options })) out.push(e);
  return out;
}

async function syntaxError(text: string, chunkSize?: number): Promise<JsonSyntaxError> {
  const err = await read(write(text), { chunkSize }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(JsonSyntaxError);
  return err as JsonSyntaxError;
}

// Every awkward thing at once: escapes, multi-byte UTF-8 (2, 3 and 4 bytes), nesting,
// primitives that end at '}' or ',', CRLF line ends, an empty object and array.
const TRICKY =
  '\uFEFF{\r\n  "plain": {"a": [1, 2, {"b": [[], {}]}], "s": "x}y]z{"},\r\n' +
  '  "quote\\"d \\\\ key": "a \\"quoted\\" \\\\ \\/ \\u00e9\\n",\r\n' +
  '  "unicodé ключ 🎻": "ünï 𝄞 ♪ — \\ud83c\\udfb8",\r\n' +
  '  "num":-12.5e-3,"t":true,"f":false,"n":null, "zero" : 0 ,\n' +
  '  "arr": [ "]", "[", "\\\\" ],\n' +
  '  "deep": {"l1": {"l2": {"l3": {"l4": [[[["\\"}"]]]]}}}},\n' +
  '  "empty": {}, "emptyArr": []\n}\n';

describe('readTopLevelEntries', () => {
  it('yields the same entries as JSON.parse for every chunk size, in file order', async () => {
    const file = write(TRICKY);
    const expected = Object.entries(JSON.parse(TRICKY.slice(1)) as object);
    for (const chunkSize of [1, 2, 3, 5, 7, 11, 64, 1 << 20]) {
      const got = await read(file, { chunkSize });
      expect(
        got.map((e) => [e.key, e.value]),
        `chunk ${chunkSize}`,
      ).toEqual(expected);
    }
  });

  it('gives the line and column of each key, whatever the chunk size', async () => {
    const text = '{\n  "a": {"x": [1,\n 2]},\n\n    "b": "v", "c": 3\n}';
    for (const chunkSize of [7, 1 << 20]) {
      const got = await read(write(text), { chunkSize });
      expect(got.map(({ key, line, column }) => ({ key, line, column }))).toEqual([
        { key: 'a', line: 2, column: 3 },
        { key: 'b', line: 5, column: 5 },
        { key: 'c', line: 5, column: 15 },
      ]);
    }
  });

  it('reads an empty object', async () => {
    expect(await read(write(' { } \n'))).toEqual([]);
  });

  it.each([
    ['{\n  "a": 1,\n  "b": ,\n}', 3, 8, "unexpected ','"],
    ['{\n  "a": {"x": [1,\n   2}\n}', 3, 5, "unexpected '}', expected ',' or ']'"],
    ['{"a": {"x": 1 "y": 2}}', 1, 15, "unexpected '\"', expected ',' or '}'"],
    ['{"a": {"x": "bad \\q escape"}}', 1, 19, 'bad escape in string'],
    ['{"a": 1, "b": {"c": [tru]}}', 1, 22, "invalid value 'tru'"],
    ['{"a": 1,}', 1, 9, "unexpected '}', expected a key in double quotes"],
    ['{"a": 1 "b": 2}', 1, 9, "unexpected '\"', expected ',' or '}'"],
    ['{"a" 1}', 1, 6, "unexpected '1', expected ':' after the key"],
    ['{"a": 1}\n{"b": 2}', 2, 1, "unexpected '{' after the end of the top-level object"],
    ['[{"a": 1}]', 1, 1, "the top level is not an object (it starts with '[')"],
    ['  \n', 2, 1, 'the file is empty'],
    ['{"a": {"b": 1}, "c": {"d": [1, 2', 1, 33, 'unexpected end of file (is the file cut short?)'],
    ['{"a": "unterminated}\n', 2, 1, 'unexpected end of file (is the file cut short?)'],
  ])('reports %j at line %i, column %i', async (text, line, column, detail) => {
    for (const chunkSize of [3, 1 << 20]) {
      const err = await syntaxError(text, chunkSize);
      expect({ line: err.line, column: err.column, detail: err.detail }).toEqual({ line, column, detail });
      expect(err.message).toBe(`x.json is not valid JSON at line ${line}, column ${column}: ${detail}`);
    }
  });

  it('stops early without leaking the file when the consumer breaks', async () => {
    const file = write('{"a": 1, "b": 2, "c": 3}');
    for await (const e of readTopLevelEntries(file, { chunkSize: 2 })) {
      expect(e.key).toBe('a');
      break;
    }
  });

  it('honours an abort signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(read(write('{"a": 1}'), { signal: controller.signal })).rejects.toThrow(/abort/i);
  });

  it('streams a big examples.json without holding it', async () => {
    const PAD = 'x'.repeat(1000);
    // 50,000 NSynth-shaped entries, pretty-printed like the real file, each padded by 1 kB so the
    // file (~70 MB) dwarfs V8's young generation and garbage cannot pass for a loaded file.
    const file = path.join(tmp.dir, 'big.json');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, '{');
    const n = 50_000;
    for (let i = 0; i < n; i += 1000) {
      const parts: string[] = [];
      for (let j = i; j < i + 1000; j++) {
        const noteStr = `keyboard_acoustic_${String(j % 100).padStart(3, '0')}-${String(j % 128).padStart(3, '0')}-${j}`;
        const value = {
          note: j,
          note_str: noteStr,
          instrument_family: 4,
          instrument_family_str: 'keyboard',
          qualities: [0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
          qualities_str: ['dark'],
          pad: PAD,
        };
        parts.push(`${j ? ',' : ''}\n    "${noteStr}": ${JSON.stringify(value, null, 4)}`);
      }
      fs.writeSync(fd, parts.join(''));
    }
    fs.writeSync(fd, '\n}\n');
    fs.closeSync(fd);
    const size = fs.statSync(file).size;

    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    const started = performance.now();
    for await (const e of readTopLevelEntries(file)) {
      if ((e.value as { note: number }).note !== count) throw new Error(`entry ${count} out of order`);
      if (++count % 5000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    }
    const seconds = (performance.now() - started) / 1000;
    expect(count).toBe(n);
    // Loading the file whole takes at least its size as a string, plus the parsed objects;
    // streaming stays near V8's young generation (~10-35 MB here) whatever the file size.
    expect(peak).toBeLessThan(size);
    console.log(
      `json-stream: ${n} entries, ${(size / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s ` +
        `(${Math.round(n / seconds)} entries/s), heap peak +${(peak / 1e6).toFixed(1)} MB`,
    );
  });
});
