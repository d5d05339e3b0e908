// Where and why a JSON text fails to parse, as a message a user can act on.
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

/** JSON white space: space, line feed, carriage return, tab. */
export const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
/** A character as an error message names it. */
export const show = (c: string | undefined) =>
  c === undefined ? 'end of file' : c < ' ' ? JSON.stringify(c) : `'${c}'`;

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
