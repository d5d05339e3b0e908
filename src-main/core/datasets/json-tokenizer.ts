// The top level of one big JSON object, read piece by piece: each entry's value is cut out whole and
// handed to JSON.parse, so memory stays at one chunk plus one entry.
import { isWs, JsonSyntaxError, locateJsonError, show } from './json-error';

/** One `"key": value` of a top-level object; `line`/`column` locate the key. */
export interface JsonEntry {
  key: string;
  value: unknown;
  line: number;
  column: number;
}

/** Longest single entry accepted: an NSynth entry is ~600 bytes, so this only stops runaway files. */
export const MAX_ENTRY_CHARS = 16 * 1024 * 1024;

// Tokenizer states: only the top level is tracked here; nested values are delimited by depth
// and handed whole to JSON.parse, which is far faster than tokenizing them in JS.
const [START, FIRST_KEY, KEY, IN_KEY, COLON, VALUE, IN_VALUE, IN_PRIMITIVE, AFTER_VALUE, DONE] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
];

/** Reads the entries of a top-level object from text pushed to it in pieces. */
export class TopLevelTokenizer {
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
