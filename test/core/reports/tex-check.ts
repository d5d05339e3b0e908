/** What a LaTeX text holds, as far as the report tests need: commands, environments, tables. */
export interface TexShape {
  /** Every control word and symbol used (`begin`, `textbf`, `&` ...), comments left out. */
  commands: Set<string>;
  /** Problems found: unbalanced braces or environments, special characters left unescaped. */
  problems: string[];
  /** Each table's \label with its body rows (between \midrule and \bottomrule), cells split. */
  tables: Map<string, string[][]>;
}

// Text with comments removed: an unescaped % to the end of its line.
function withoutComments(tex: string): string {
  return tex
    .split('\n')
    .map((line) => {
      for (let i = 0; i < line.length; i++) {
        if (line[i] === '\\') i++;
        else if (line[i] === '%') return line.slice(0, i);
      }
      return line;
    })
    .join('\n');
}

/** Reads a LaTeX text the way TeX would tokenize it, enough to check its structure. */
export function texShape(tex: string): TexShape {
  const text = withoutComments(tex);
  const commands = new Set<string>();
  const problems: string[] = [];
  const envs: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const word = /^[A-Za-z]+/.exec(text.slice(i + 1))?.[0];
      const name = word ?? text[i + 1] ?? '';
      commands.add(name);
      i += name.length;
      if (name === 'begin' || name === 'end') {
        const env = /^\{([A-Za-z*]+)\}/.exec(text.slice(i + 1))?.[1];
        if (!env) problems.push(`\\${name} without an environment at ${i}`);
        else if (name === 'begin') envs.push(env);
        else if (envs.pop() !== env) problems.push(`\\end{${env}} closes another environment at ${i}`);
      }
    } else if (c === '{') depth++;
    else if (c === '}') {
      if (--depth < 0) problems.push(`unbalanced } at ${i}`);
    } else if ('$#_^~'.includes(c)) problems.push(`unescaped ${c} at ${i}`);
    else if (c === '&' && !envs.includes('tabular')) problems.push(`& outside a tabular at ${i}`);
  }
  if (depth > 0) problems.push(`${depth} unclosed {`);
  if (envs.length) problems.push(`unclosed environments: ${envs.join(', ')}`);

  const tables = new Map<string, string[][]>();
  for (const block of text.split('\\begin{table}').slice(1)) {
    const label = /\\label\{([^}]*)\}/.exec(block)?.[1] ?? '?';
    const columns = /\\begin\{tabular\}\{([lrc]+)\}/.exec(block)?.[1]?.length ?? 0;
    const body = block.split('\\midrule')[1]?.split('\\bottomrule')[0] ?? '';
    const rows = body
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => {
        if (!l.endsWith(' \\\\')) problems.push(`row of ${label} does not end with \\\\: ${l}`);
        return l.slice(0, -3).split(/(?<!\\) & /);
      });
    for (const r of rows)
      if (r.length !== columns) problems.push(`${label}: ${r.length} cells, ${columns} columns`);
    tables.set(label, rows);
  }
  return { commands, problems, tables };
}

/** The commands the LaTeX report may use; a user's text must never add one. */
export const TEX_REPORT_COMMANDS = new Set([
  ...['begin', 'end', 'centering', 'small', 'caption', 'label', 'toprule', 'midrule', 'bottomrule'],
  ...['textbf', 'textbackslash', 'textasciitilde', 'textasciicircum', 'textless', 'textgreater', 'textbar'],
  ...['\\', '{', '}', '&', '%', '$', '#', '_'],
]);
