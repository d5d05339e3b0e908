import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/core/workbench';
import { PDF_NEEDS_CHROMIUM } from '../../src-main/core/reports/pdf';
import { sweepWithResults } from '../core/reports/sweep-fixture';
import { timbre } from '../helpers/cli';
import { tinyDataset } from '../helpers/tiny';
import { tempDir } from '../helpers/tmp';

let home: string;
let dir: string;
let cleanup: () => void;
let id: string;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  home = path.join(dir, 'home');
  const wb = new Workbench({ home });
  try {
    const dataset = (await wb.importDataset(await tinyDataset(), 'tiny')).id;
    const run = await wb.createRun({
      preset: 'seed-lstm',
      name: 'cli report run',
      overrides: {
        epochs: 2,
        batch: 16,
        model: { type: 'mlp', hidden: 16, layers: 1 },
        features: {
          representation: 'logmel',
          seconds: 0.5,
          nMels: 16,
          normalization: 'standard',
          maxPerFamily: 3,
        },
      },
      dataset,
      backend: 'cpu',
    });
    expect((await wb.waitForRun(run.id)).status).toBe('finished');
    id = String(run.id);
  } finally {
    await wb.close();
  }
});
afterAll(() => cleanup?.());

describe('timbre report', () => {
  it('is listed and prints its help', () => {
    expect(timbre(home, ['--help']).stdout).toMatch(
      /report\s+export runs as HTML, Markdown, CSV, JSON, PDF, LaTeX tables/,
    );
    const r = timbre(home, ['report', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/timbre report RUN_ID\.\.\. --out FILE/);
  });

  it('refuses bad command lines with exit code 2, saying what is allowed', () => {
    const out = path.join(dir, 'r');
    const cases: [string[], RegExp][] = [
      [['report'], /Give one or more run ids/],
      [['report', id], /--out FILE is required/],
      [
        ['report', id, '--out', `${out}.md`, '--format', 'docx'],
        /--format must be one of html, md, csv, json, pdf, tex \(got "docx"\)/,
      ],
      [
        ['report', id, '--out', `${out}.txt`],
        /Cannot tell the format from .*r\.txt"; give --format, one of html, md, csv, json, pdf, tex/,
      ],
      [['report', 'seven', '--out', `${out}.md`], /A run id is a positive whole number \(got "seven"\)/],
      [['report', id, id, '--out', `${out}.md`], /given twice/],
      [
        ['report', id, '--out', `${out}.md`, '--examples', '99'],
        /--examples must be a whole number from 0 to 20/,
      ],
      [['report', id, '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const r = timbre(home, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    expect(fs.readdirSync(dir)).toEqual(['home']);
  });

  it('names an unknown run and exits with 1', () => {
    const r = timbre(home, ['report', id, '999', '--out', path.join(dir, 'x.md')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No run 999\. `timbre runs list` shows them\./);
    expect(fs.existsSync(path.join(dir, 'x.md'))).toBe(false);
  });

  it('writes Markdown, with the format taken from the file name', () => {
    const file = path.join(dir, 'out', 'results.md');
    const r = timbre(home, ['report', id, '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^Wrote the md report of run ${id} to ${file} \\(\\d+(\\.\\d)? KB\\)\\.$`, 'm'),
    );
    const md = fs.readFileSync(file, 'utf8');
    expect(md).toMatch(/\| run \| model \| features \|.*\| test acc \|/);
    expect(md).toContain('cli report run');
  });

  it('writes LaTeX tables, by the .tex extension or by --format tex', () => {
    const file = path.join(dir, 'out', 'paper.tex');
    const r = timbre(home, ['report', id, '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Wrote the tex report of run ${id} to ${file} \\(`, 'm'));
    const tex = fs.readFileSync(file, 'utf8');
    expect(tex).toContain('\\usepackage{booktabs}');
    expect(tex).toContain(`\\#${id} cli report run & mlp 16x1 &`);
    expect(tex.match(/\\begin\{tabular\}/g)).toHaveLength(4); // runs, metrics, families, confusion
    expect(tex.match(/\\toprule/g)).toHaveLength(4);

    const bare = path.join(dir, 'out', 'tables');
    const b = timbre(home, ['report', id, '--format', 'tex', '--out', bare, '--json']);
    expect(b.code, b.stderr).toBe(0);
    expect((b.json() as { format: string }).format).toBe('tex');
    expect(fs.readFileSync(bare, 'utf8').replace(/^% Timbre.*\n/, '')).toBe(tex.replace(/^% Timbre.*\n/, ''));
  });

  it('lists every registered format in its help, with what each holds', () => {
    const r = timbre(home, ['report', '--help']);
    expect(r.stdout).toMatch(/--format html\|md\|csv\|json\|pdf\|tex\]/);
    expect(r.stdout).toMatch(/^ {8}tex {3}LaTeX booktabs tables to paste into a paper/m);
  });

  it('writes CSV as three files and reports them as JSON', () => {
    const r = timbre(home, [
      'report',
      id,
      '--format',
      'csv',
      '--out',
      path.join(dir, 'out', 'table'),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = r.json() as { format: string; runs: number[]; files: { path: string; bytes: number }[] };
    expect(result.format).toBe('csv');
    expect(result.runs).toEqual([Number(id)]);
    expect(result.files.map((f) => path.basename(f.path))).toEqual([
      'table-runs.csv',
      'table-epochs.csv',
      'table-predictions.csv',
    ]);
    for (const f of result.files) expect(fs.statSync(f.path).size).toBe(f.bytes);
  });

  it('says how to get Chromium when PDF cannot be printed', () => {
    const file = path.join(dir, 'out', 'r.pdf');
    const r = timbre(home, ['report', id, '--out', file], { TIMBRE_CHROMIUM: path.join(dir, 'no-chromium') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(PDF_NEEDS_CHROMIUM);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('timbre report --sweep', () => {
  it('writes a sweep report, refuses run ids beside it, and names an unknown sweep', async () => {
    const sweep = await sweepWithResults(home, 'cli <b>sweep</b>', 'tiny');
    const sid = String(sweep.id);
    const file = path.join(dir, 'out', 'sweep.md');
    const r = timbre(home, ['report', '--sweep', sid, '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^Wrote the md report of sweep ${sweep.id} \\(8 runs\\) to ${file} \\(\\d+(\\.\\d)? KB\\)\\.$`,
        'm',
      ),
    );
    // Three of its runs still wait: the report says so on stderr and shows what there is.
    expect(r.stderr).toMatch(new RegExp(`Sweep ${sweep.id} has runs still to train`));
    const md = fs.readFileSync(file, 'utf8');
    expect(md).toMatch(/^# Sweep report: cli <b>sweep<\/b> \(#\d+\)$/m);
    expect(md).toContain('| Learning rate | lr | 0.001, 0.0003 |');
    expect(md).toMatch(/\| 1 \| hidden=8 lr=0\.001 \| 2 \| 75\.0 % ± 7\.1 % \| 65\.0 % ± 7\.1 % \|/);
    for (const run of sweep.runs) expect(md).toContain(run.label);

    const csvOut = path.join(dir, 'out', 's');
    const csv = timbre(home, ['report', '--sweep', sid, '--format', 'csv', '--out', csvOut, '--json']);
    expect(csv.code, csv.stderr).toBe(0);
    const result = csv.json() as { sweep: number; runs: number[]; files: { path: string }[] };
    expect(result.sweep).toBe(sweep.id);
    expect(result.runs).toEqual(sweep.runs.map((x) => x.run.id));
    expect(result.files.map((f) => path.basename(f.path))).toEqual(['s-runs.csv', 's-configurations.csv']);

    const cases: [string[], RegExp][] = [
      [['report', id, '--sweep', sid, '--out', file], /Give run ids or --sweep ID, not both/],
      [['report', '--sweep', 'x1', '--out', file], /A sweep id is a positive whole number \(got "x1"\)/],
      [['report', '--sweep', sid], /--out FILE is required/],
      [
        ['report', '--sweep', sid, '--out', file, '--examples', '2'],
        /--confusions and --examples are for reports of runs/,
      ],
    ];
    for (const [args, message] of cases) {
      const bad = timbre(home, args);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr, args.join(' ')).toMatch(message);
    }
    const missing = timbre(home, ['report', '--sweep', '999', '--out', path.join(dir, 'out', 'none.md')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No sweep 999\. `timbre sweep list` shows them\./);
    expect(fs.existsSync(path.join(dir, 'out', 'none.md'))).toBe(false);
  });
});
