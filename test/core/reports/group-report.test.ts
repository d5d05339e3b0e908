import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkArgs } from '../../../src-main/core/api-schema';
import { encodeWav16 } from '../../../src-main/core/datasets/wav';
import { saveName, savePaths } from '../../../src-main/core/reports/export';
import { collectGroupReport } from '../../../src-main/core/reports/groups/collect';
import { axisPosition, axisScale, parallelSvg } from '../../../src-main/core/reports/groups/parallel-svg';
import type { GroupReportData } from '../../../src-main/core/reports/groups/types';
import { escapeHtml } from '../../../src-main/core/reports/html-parts';
import { REPORT_FORMATS } from '../../../src-main/core/reports/registry';
import { Workbench } from '../../../src-main/core/workbench';
import type { GroupRequest } from '../../../src-main/shared/group-compare';
import { summarize } from '../../../src-main/shared/stats';
import { withStore } from '../../helpers/store';
import { tempDir } from '../../helpers/tmp';
import { ACC, seedGroups, type Seeded } from '../groups/fixture';
import { TEX_REPORT_COMMANDS, texShape } from './tex-check';

let dir: string;
let cleanup: () => void;
let home: string;
let wb: Workbench;
let seeded: Seeded;
let request: GroupRequest;
let data: GroupReportData;
const out = (name: string) => path.join(dir, 'out', name);
const text = (files: { base64: string }[], i = 0) => Buffer.from(files[i]!.base64, 'base64').toString('utf8');
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

// Quoted fields, commas and line breaks in quotes: enough CSV to read our own files back.
function parseCsv(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i]!;
    if (quoted && c === '"' && csv[i + 1] === '"') {
      field += '"';
      i++;
    } else if (quoted) {
      if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',' || c === '\n') {
      row.push(field);
      field = '';
      if (c === '\n') {
        rows.push(row);
        row = [];
      }
    } else field += c;
  }
  return rows;
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  home = path.join(dir, 'home');
  seeded = seedGroups(home);
  wb = new Workbench({ home, queue: 'watch' });
  request = { select: { runs: [...seeded.fast, ...seeded.slow] }, groupBy: 'configuration' };
  data = await collectGroupReport(wb, request, { audio: true, now: Date.parse('2026-01-02T03:04:05Z') });
});
afterAll(async () => {
  await wb?.close();
  cleanup?.();
});

describe('a report of groups', () => {
  it('gathers the comparison, the curves and the hard notes some run got wrong, worst first', () => {
    expect(data.generatedAt).toBe('2026-01-02T03:04:05.000Z');
    expect(data.request).toEqual({ ...request, metric: 'testAccuracy', test: 'welch' });
    expect(data.comparison.groups.map((g) => [g.label, g.runs])).toEqual([
      ['lr=0.0003', seeded.slow],
      ['lr=0.001', seeded.fast],
    ]);
    expect(data.curves).toHaveLength(2);
    expect(data.curves![0]!.points.map((p) => p.epoch)).toEqual([1, 2, 3]);
    expect(data.hardNotes.notes.map((n) => [n.noteStr, n.wrong, n.confusedWith])).toEqual([
      ['bass_1-040-100', 6, 'flute'],
      ['brass_2-050-100', 3, 'keyboard'],
      ['guitar_4-070-100', 1, 'mallet'],
    ]);
    // The fixture's data set has no files: each note says why it cannot be played.
    expect(data.clips).toHaveLength(3);
    expect(data.clips!.every((c) => c.wav === undefined && /no note/.test(c.missing ?? ''))).toBe(true);
  });

  it('renders in every format', async () => {
    // PDF: printed in its own test below.
    for (const format of REPORT_FORMATS.filter((f) => f !== 'pdf')) {
      const { files } = await wb.exportGroupReport(request, format);
      expect(files.length, format).toBeGreaterThan(0);
      for (const f of files) expect(Buffer.from(f.base64, 'base64').length, format).toBeGreaterThan(100);
    }
  });

  it('writes HTML with the table checked against summarize, the sentence, the picture and the hard notes', async () => {
    const { files } = await wb.exportGroupReport(request, 'html');
    const ids = [...seeded.fast, ...seeded.slow];
    expect(files.map((f) => f.name)).toEqual([`timbre-groups-runs-${ids.slice(0, 5).join('-')}-etc.html`]);
    const html = text(files);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script/i);
    for (const accs of [ACC.fast, ACC.slow]) {
      const s = summarize(accs);
      expect(html).toContain(`${pct(s.mean!)} ± ${pct(s.sd!)}`);
      expect(html).toContain(`${pct(s.ci95![0])} to ${pct(s.ci95![1])}`);
      expect(html).toContain(`${pct(s.min!)} to ${pct(s.max!)}`);
    }
    const sentence = data.comparison.pairs[0]!.sentence;
    expect(sentence).toMatch(/^lr=0\.0003 is 5\.0 points worse than lr=0\.001, 95 % CI -10\.5 to \+0\.5/);
    expect(html).toContain(escapeHtml(sentence));

    const svg = /<svg class="chart parallel"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(svg.match(/<polyline /g)).toHaveLength(6);
    for (const id of [...seeded.fast, ...seeded.slow]) expect(svg).toContain(`data-run="${id}"`);
    expect(svg).toContain('>lr</text>');
    expect(html).toContain('<section id="curves">');
    expect(html).toMatch(/<polygon class="band"/);

    const notes = html.slice(html.indexOf('<section id="hard-notes">'));
    const at = (n: string) => notes.indexOf(`<code>${n}</code>`);
    expect(at('bass_1-040-100')).toBeGreaterThan(0);
    expect(at('bass_1-040-100')).toBeLessThan(at('brass_2-050-100'));
    expect(at('brass_2-050-100')).toBeLessThan(at('guitar_4-070-100'));
    expect(notes).not.toContain('flute_3-060-100');
    expect(notes).toContain('100 % (6/6)');
    expect(notes).toContain('(no audio: ');
    expect(notes).not.toContain('<audio');
  });

  it('writes Markdown and LaTeX with the tables and the sentences', async () => {
    const md = text((await wb.exportGroupReport(request, 'md')).files);
    const sentence = data.comparison.pairs[0]!.sentence;
    expect(md).toContain(`- ${sentence}.`);
    expect(md).toContain('| lr=0.001 | 3 | 3 | 62.0 % ± 2.0 % |');
    expect(md).toMatch(/\| 1 \| bass_1-040-100 \| bass \| 100 % \(6\/6\) \| flute \(5 runs\) \|/);

    const { files } = await wb.writeGroupReport(request, 'tex', out('groups.tex'));
    const tex = fs.readFileSync(files[0]!.path, 'utf8');
    const shape = texShape(tex);
    expect(shape.problems).toEqual([]);
    const allowed = new Set([...TEX_REPORT_COMMANDS, 'textpm', 'item']);
    expect([...shape.commands].filter((c) => !allowed.has(c))).toEqual([]);
    expect(shape.tables.get('tab:timbre-groups-groups')).toHaveLength(2);
    expect(shape.tables.get('tab:timbre-groups-hard-notes')).toHaveLength(3);
    expect(tex).toContain('\\begin{itemize}');
  });

  it('writes CSV as four tables that parse, and saves them under one name', async () => {
    const { files } = await wb.exportGroupReport(request, 'csv');
    const names = files.map((f) => f.name);
    const stem = names[0]!.replace(/-runs\.csv$/, '');
    expect(names).toEqual(['runs', 'groups', 'pairs', 'hard-notes'].map((t) => `${stem}-${t}.csv`));
    expect(saveName(names)).toBe(`${stem}.csv`);
    expect(savePaths(names, '/x/study')).toEqual([
      '/x/study-runs.csv',
      '/x/study-groups.csv',
      '/x/study-pairs.csv',
      '/x/study-hard-notes.csv',
    ]);
    const [runs, groups, pairs, notes] = files.map((f) => parseCsv(text([f])));
    expect(runs).toHaveLength(7);
    expect(runs![0]).toEqual(expect.arrayContaining(['run_id', 'group', 'test_accuracy', 'lr']));
    expect(groups).toHaveLength(3);
    const head = groups![0]!;
    const fast = groups!.find((r) => r[0] === 'lr=0.001')!;
    const s = summarize(ACC.fast);
    expect(fast[head.indexOf('runs')]).toBe('3');
    expect(Number(fast[head.indexOf('test_accuracy_mean')])).toBeCloseTo(s.mean!, 12);
    expect(Number(fast[head.indexOf('test_accuracy_sd')])).toBeCloseTo(s.sd!, 12);
    expect(Number(fast[head.indexOf('test_accuracy_ci95_low')])).toBeCloseTo(s.ci95![0], 12);
    expect(pairs).toHaveLength(2);
    const pair = pairs![1]!;
    expect(pair[pairs![0]!.indexOf('sentence')]).toBe(data.comparison.pairs[0]!.sentence);
    expect(Number(pair[pairs![0]!.indexOf('p')])).toBeCloseTo(
      (data.comparison.pairs[0]!.result as { p: number }).p,
      12,
    );
    expect(notes!.map((r) => r[1])).toEqual([
      'note_str',
      'bass_1-040-100',
      'brass_2-050-100',
      'guitar_4-070-100',
    ]);
  });

  it('writes JSON that round-trips the comparison and the hard notes', async () => {
    const doc = JSON.parse(text((await wb.exportGroupReport(request, 'json')).files));
    expect(doc.format).toBe('timbre-group-report');
    expect(doc.comparison).toEqual(await wb.compareGroups(request));
    expect(doc.hardNotes).toEqual(data.hardNotes);
    expect(doc.request).toEqual(data.request);
  });

  it("reports a sweep's runs grouped by a setting, with the bootstrap", async () => {
    const byLr: GroupRequest = { select: { sweep: seeded.sweep }, groupBy: ['lr'], test: 'bootstrap' };
    const { files } = await wb.exportGroupReport(byLr, 'md');
    expect(files[0]!.name).toBe(`timbre-groups-sweep-${seeded.sweep}.md`);
    const md = text(files);
    expect(md).toContain(`# Group report: sweep ${seeded.sweep} (lr), by setting lr`);
    expect(md).toContain('bootstrap of the difference of means');
  });

  it('prints a PDF through Chromium', async () => {
    const { files } = await wb.writeGroupReport(request, 'pdf', out('groups.pdf'));
    expect(fs.readFileSync(files[0]!.path).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('checks the API arguments', () => {
    expect(checkArgs('exportGroupReport', [request, 'html'])).toEqual([request, 'html']);
    expect(() => checkArgs('exportGroupReport', [request, 'docx'])).toThrow(/invalid arguments at 1/);
    expect(() => checkArgs('exportGroupReport', [{ select: { runs: [1] } }, 'md'])).toThrow(
      /exportGroupReport: invalid arguments/,
    );
  });
});

describe('the parallel coordinates', () => {
  it('scales numbers linearly, or by log over more than two decades, and spaces categories evenly', () => {
    expect(axisScale([0.001, 0.0003])).toEqual({ kind: 'linear', min: 0.0003, max: 0.001 });
    expect(axisScale([1e-5, 1e-3, 1e-2])).toEqual({ kind: 'log', min: 1e-5, max: 1e-2 });
    expect(axisScale([-1, 1000])).toMatchObject({ kind: 'linear' });
    const cats = axisScale(['lstm', 'mlp', null, 'gru']);
    expect(cats).toEqual({ kind: 'category', values: ['gru', 'lstm', 'mlp', '–'] });
    expect(['gru', 'lstm', 'mlp', null].map((v) => axisPosition(cats, v))).toEqual([0, 1 / 3, 2 / 3, 1]);
    expect(axisPosition({ kind: 'log', min: 1e-5, max: 1e-3 }, 1e-4)).toBeCloseTo(0.5, 12);
  });

  it('draws a line per run, the ones without the metric grey', () => {
    const svg = parallelSvg({
      metric: 'testAccuracy',
      varying: ['lr', 'model.type'],
      points: [1, 2, 3].map((id) => ({
        id,
        name: `<r${id}>`,
        group: 'g',
        values: { lr: 10 ** -id, 'model.type': id === 1 ? 'mlp' : 'lstm' },
        metrics: { testAccuracy: id === 3 ? null : 0.5 + id / 10 } as never,
      })),
    });
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    expect(svg).toContain('&lt;r1&gt;');
    expect(svg).toMatch(/data-run="3"[^>]*stroke="#999999"/);
  });
});

describe('hard notes with their recordings', () => {
  it('embeds a playable clip of a note whose file is there', async () => {
    const root = path.join(dir, 'dataset');
    const rel = path.join('nsynth-test', 'audio', 'bass_1-040-100.wav');
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    const samples = Float32Array.from({ length: 8000 }, (_, i) => 0.3 * Math.sin(i / 10));
    fs.writeFileSync(path.join(root, rel), encodeWav16(samples, 16000));
    withStore(home, ({ db }) => {
      const datasetId = db.prepare<[], { id: number }>('SELECT id FROM datasets').get()!.id;
      db.prepare('UPDATE datasets SET root = ? WHERE id = ?').run(root, datasetId);
      db.prepare(
        `INSERT INTO dataset_notes (dataset_id, split, note_str, family, source, instrument_str, pitch, velocity, path)
         VALUES (?, 'test', 'bass_1-040-100', 0, 0, 'bass_1', 40, 100, ?)`,
      ).run(datasetId, rel);
    });
    const html = text((await wb.exportGroupReport(request, 'html')).files);
    const notes = html.slice(html.indexOf('<section id="hard-notes">'));
    expect(notes.match(/<audio controls/g)).toHaveLength(1);
    const b64 = /src="data:audio\/wav;base64,([^"]+)"/.exec(notes)![1]!;
    expect(Buffer.from(b64, 'base64').subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(notes).toContain('0.5 s');
    // The other two notes are not in the data set: they say so.
    expect(notes.match(/\(no audio: /g)).toHaveLength(2);
  });
});

describe('hard notes of a deleted data set', () => {
  it('says once that no recording can be played, and lists the notes', async () => {
    const other = path.join(dir, 'home-deleted');
    const s = seedGroups(other);
    withStore(other, ({ db }) => db.prepare('DELETE FROM datasets').run());
    const wb2 = new Workbench({ home: other, queue: 'watch' });
    try {
      const html = text(
        (await wb2.exportGroupReport({ select: { sweep: s.sweep }, groupBy: 'configuration' }, 'html')).files,
      );
      const notes = html.slice(html.indexOf('<section id="hard-notes">'));
      expect(notes.match(/No recording can be played: [^<]*was deleted/g)).toHaveLength(1);
      expect(notes).not.toContain('(no audio: ');
      expect(notes).toContain('<code>bass_1-040-100</code>');
    } finally {
      await wb2.close();
    }
  });
});
