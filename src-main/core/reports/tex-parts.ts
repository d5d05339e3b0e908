// LaTeX text and booktabs tables, escaped: the parts the runs' and the sweeps' LaTeX reports share.

const TEX_ESCAPES: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
  // What the other formats write for an unknown value, in TeX's spelling.
  '–': '--',
  // Mean ± standard deviation in the sweep report (textcomp's, part of the LaTeX kernel since 2020).
  '±': '\\textpm{}',
};

/**
 * Text printed literally by LaTeX: every special character escaped, line breaks and runs of
 * white space made one space, control characters dropped. With `\`, `{`, `}` and `^` (TeX's
 * `^^5c` spelling of a backslash) escaped, no text can start a command: `\input{/etc/passwd}`
 * prints as itself.
 */
export function escapeTex(text: string): string {
  return (
    text
      .replace(/\s+/g, ' ')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]/g, '')
      .replace(/[\\{}&%$#_~^<>|–±]/g, (c) => TEX_ESCAPES[c]!)
  );
}

/** A table cell: text (escaped when written), a number, nothing (an en dash, "--"), or a bold value. */
export type Cell = string | number | null | { bold: string | number };

const cellTex = (c: Cell): string =>
  c === null ? '--' : typeof c === 'object' ? `\\textbf{${escapeTex(String(c.bold))}}` : escapeTex(String(c));

/** A LaTeX table as texTable sets it. */
export interface TexTable {
  caption: string;
  /** A \label key; built from run ids and fixed words only. */
  label: string;
  /** Column alignment: `l` text, `r` numbers. */
  columns: string;
  head: Cell[];
  rows: Cell[][];
  /** Set in \small (the wide confusion matrices). */
  small?: boolean;
}

const texRow = (cells: Cell[]) => `${cells.map(cellTex).join(' & ')} \\\\`;

/** A booktabs table in a float, every cell and the caption escaped; its lines. */
export function texTable(t: TexTable): string[] {
  return [
    '\\begin{table}[htbp]',
    '\\centering',
    ...(t.small ? ['\\small'] : []),
    `\\caption{${escapeTex(t.caption)}}`,
    `\\label{${t.label}}`,
    `\\begin{tabular}{${t.columns}}`,
    '\\toprule',
    texRow(t.head),
    '\\midrule',
    ...t.rows.map(texRow),
    '\\bottomrule',
    '\\end{tabular}',
    '\\end{table}',
    '',
  ];
}
