import fs from 'node:fs/promises';
import { WorkbenchError } from '../errors';

/** A JSON file that does not parse, with the 1-based line and column of the first problem. */
export class JsonSyntaxError extends WorkbenchError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super('bad-input', `${file} is not valid JSON at line ${line}, column ${column}: ${detail}`, {
      name: 'JsonSyntaxError',
    });
  }
}

/** One `"key": value` of a top-level object; `line`/`column` locate the key. */
export interface JsonEntry {
  key: string;
  value: unknown;
  line: number;
  column: number;
}

/** Options of `readTopLevelEntries`. */
export interface ReadEntriesOptions {
  /** Bytes read at a time. Default 1 MiB; tests use a few bytes to cut tokens across reads. */
  chunkSize?: number;
  /** Name used in error messages. Default: the file path. */
  name?: string;
  signal?: AbortSignal;
}

/** Longest single entry accepted: an NSynth entry is ~600 bytes, so this only stops runaway files. */
export const MAX_ENTRY_CHARS = 16 * 1024 * 1024;

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

// Tokenizer states: only the top level is tracked here; nested values are delimited by depth
// and handed whole to JSON.parse, which is far faster than tokenizing them in JS.
const [START, FIRST_KEY, KEY, IN_KEY, COLON, VALUE, IN_VALUE, IN_PRIMITIVE, AFTER_VALUE, DONE] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
];

const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const show = (c: string | undefined) =>
  c === undefined ? 'end of file' : c < ' ' ? JSON.stringify(c) : `'${c}'`;

class TopLevelTokenizer {
  private buf = '';
  private pos = 0;
  /** Start in `buf` of the key or value being read, or -1 between tokens. */
  private tokenStart = -1;
  private tokenLine = 1;
  private tokenColumn = 1;
  private line = 1;
  /** Index in `buf` where the current line starts; negative once that text has been dropped. */
  private lineStart = 0;
  private state = START;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private key = '';
  private keyLine = 1;
  private keyColumn = 1;

  constructor(private readonly name: string) {}

  /** Adds decoded text; returns the entries it completed. */
  push(text: string): JsonEntry[] {
    // Drop what is consumed, keeping the token in progress so it can be parsed whole.
    const keep = this.tokenStart >= 0 ? this.tokenStart : this.pos;
    this.buf = this.buf.slice(keep) + text;
    this.pos -= keep;
    this.lineStart -= keep;
    if (this.tokenStart >= 0) {
      this.tokenStart = 0;
      const detail = `an entry longer than ${MAX_ENTRY_CHARS} characters`;
      if (this.buf.length > MAX_ENTRY_CHARS) throw this.error(this.tokenLine, this.tokenColumn, detail);
    }
    return this.run();
  }

  /** Checks the input ended where a complete object ends. */
  end(): void {
    if (this.state === DONE) return;
    if (this.state === START) throw this.error(this.line, this.column(), 'the file is empty');
    throw this.error(this.line, this.column(), 'unexpected end of file (is the file cut short?)');
  }

  private run(): JsonEntry[] {
    const out: JsonEntry[] = [];
    const buf = this.buf;
    while (this.pos < buf.length) {
      if (this.state === IN_VALUE || this.state === IN_KEY) {
        this.scanToken(out);
        continue;
      }
      const c = buf.charCodeAt(this.pos);
      switch (this.state) {
        case IN_PRIMITIVE:
          if (isWs(c) || c === 0x2c || c === 0x7d || c === 0x5d) {
            out.push(this.emit(this.pos));
            continue; // the terminator is read again as what follows the value
          }
          break;
        default:
          if (!isWs(c)) this.structural(c);
      }
      if (c === 0x0a) {
        this.line++;
        this.lineStart = this.pos + 1;
      }
      this.pos++;
    }
    return out;
  }

  /** Skips through a key or a string/object/array value; most input is here, so it runs on locals. */
  private scanToken(out: JsonEntry[]): void {
    const buf = this.buf;
    const len = buf.length;
    let { depth, inString, escaped, line, lineStart } = this;
    let p = this.pos;
    let ended = false;
    for (; p < len; p++) {
      const c = buf.charCodeAt(p);
      if (c === 0x0a) {
        line++;
        lineStart = p + 1;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) {
          inString = false;
          if (depth === 0) ended = true;
        }
      } else if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) ended = --depth === 0;
      if (ended) break;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    this.line = line;
    this.lineStart = lineStart;
    this.pos = ended ? p + 1 : len;
    if (!ended) return;
    if (this.state === IN_VALUE) out.push(this.emit(p + 1));
    else {
      this.key = this.parse(p + 1) as string;
      this.tokenStart = -1;
      this.state = COLON;
    }
  }

  /** Handles a non-space character outside any token. */
  private structural(c: number): void {
    const ch = this.buf[this.pos];
    switch (this.state) {
      case START:
        if (c !== 0x7b) this.fail(`the top level is not an object (it starts with ${show(ch)})`);
        this.state = FIRST_KEY;
        return;
      case FIRST_KEY:
      case KEY:
        if (c === 0x7d && this.state === FIRST_KEY) this.state = DONE;
        else if (c === 0x22) {
          this.begin();
          this.keyLine = this.tokenLine;
          this.keyColumn = this.tokenColumn;
          this.inString = true;
          this.depth = 0;
          this.state = IN_KEY;
        } else this.fail(`unexpected ${show(ch)}, expected a key in double quotes`);
        return;
      case COLON:
        if (c !== 0x3a) this.fail(`unexpected ${show(ch)}, expected ':' after the key`);
        this.state = VALUE;
        return;
      case VALUE:
        if (c === 0x2c || c === 0x7d || c === 0x5d || c === 0x3a) this.fail(`unexpected ${show(ch)}`);
        this.begin();
        this.depth = c === 0x7b || c === 0x5b ? 1 : 0;
        this.inString = c === 0x22;
        this.state = this.depth > 0 || this.inString ? IN_VALUE : IN_PRIMITIVE;
        return;
      case AFTER_VALUE:
        if (c === 0x2c) this.state = KEY;
        else if (c === 0x7d) this.state = DONE;
        else this.fail(`unexpected ${show(ch)}, expected ',' or '}'`);
        return;
      default:
        this.fail(`unexpected ${show(ch)} after the end of the top-level object`);
    }
  }

  private begin(): void {
    this.tokenStart = this.pos;
    this.tokenLine = this.line;
    this.tokenColumn = this.column();
    this.escaped = false;
  }

  private emit(end: number): JsonEntry {
    const value = this.parse(end);
    this.tokenStart = -1;
    this.state = AFTER_VALUE;
    return { key: this.key, value, line: this.keyLine, column: this.keyColumn };
  }

  /** JSON.parse of the current token up to `end`; on failure, finds where and why. */
  private parse(end: number): unknown {
    const text = this.buf.slice(this.tokenStart, end);
    try {
      return JSON.parse(text);
    } catch {
      const { offset, detail } = locateJsonError(text);
      const before = text.slice(0, offset);
      const nl = before.lastIndexOf('\n');
      const lines = before.split('\n').length - 1;
      const column = nl < 0 ? this.tokenColumn + offset : offset - nl;
      throw this.error(this.tokenLine + lines, column, detail);
    }
  }

  private column(): number {
    return this.pos - this.lineStart + 1;
  }

  private fail(detail: string): never {
    throw this.error(this.line, this.column(), detail);
  }

  private error(line: number, column: number, detail: string): JsonSyntaxError {
    return new JsonSyntaxError(this.name, line, column, detail);
  }
}

class Located {
  constructor(
    readonly offset: number,
    readonly detail: string,
  ) {}
}

/**
 * Finds the first syntax error in `text` with a strict recursive-descent pass. Only runs after
 * JSON.parse failed: V8's messages do not always give a position.
 */
export function locateJsonError(text: string): { offset: number; detail: string } {
  let i = 0;
  const fail = (detail: string): never => {
    throw new Located(i, detail);
  };
  const unexpected = (expected?: string): never =>
    fail(`unexpected ${show(text[i])}${expected ? `, expected ${expected}` : ''}`);
  const ws = () => {
    while (i < text.length && isWs(text.charCodeAt(i))) i++;
  };
  const string = () => {
    for (i++; ; i++) {
      const ch = text[i];
      if (ch === undefined) fail('unterminated string');
      else if (ch === '"') return void i++;
      else if (ch === '\\') {
        i++;
        if (text[i] === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) i += 4;
        else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail('bad escape in string');
      } else if (ch < ' ') fail(`control character ${JSON.stringify(ch)} in string`);
    }
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '"') return string();
    if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) return void i++;
      for (;;) {
        if (close === '}') {
          ws();
          if (text[i] !== '"') unexpected('a key in double quotes');
          string();
          ws();
          if (text[i] !== ':') unexpected("':'");
          i++;
        }
        value();
        ws();
        if (text[i] === close) return void i++;
        if (text[i] !== ',') unexpected(`',' or '${close}'`);
        i++;
      }
    }
    const literal = /(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w.])/y;
    literal.lastIndex = i;
    if (literal.test(text)) return void (i = literal.lastIndex);
    const word = /^[\w.+-]+/.exec(text.slice(i, i + 40))?.[0];
    if (word) fail(`invalid value '${word}'`);
    unexpected();
  };
  try {
    value();
    ws();
    if (i < text.length) unexpected();
  } catch (e) {
    if (e instanceof Located) return e;
    throw e;
  }
  return { offset: 0, detail: 'invalid JSON' };
}
