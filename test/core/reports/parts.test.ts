import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleClip, focusEvaluation, topConfusions } from '../../../src-main/core/reports/collect';
import { csvField, csvPaths } from '../../../src-main/core/reports/csv';
import { writeFileAtomic } from '../../../src-main/core/reports/export';
import { formatOfPath } from '../../../src-main/core/reports/registry';
import { escapeHtml } from '../../../src-main/core/reports/html-parts';
import { markdownTable } from '../../../src-main/core/reports/markdown';
import { findChromium, PDF_NEEDS_CHROMIUM, requireChromium } from '../../../src-main/core/reports/pdf';
import { lineChartSvg, niceTicks } from '../../../src-main/core/reports/svg-chart';
import type { ReportEvaluation } from '../../../src-main/core/reports/types';
import { tempDir } from '../../helpers/tmp';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

function evaluation(partial: Partial<ReportEvaluation>): ReportEvaluation {
  return {
    id: 1,
    runId: 1,
    weights: 'best',
    epoch: 1,
    modelDir: '/m',
    datasetId: 1,
    datasetFingerprint: 'fp',
    split: 'test',
    loss: 1,
    accuracy: 0.5,
    perClass: [],
    labels: ['a', 'b', 'c'],
    confusion: [
      [5, 3, 1],
      [0, 4, 3],
      [3, 0, 2],
    ],
    createdAt: '',
    predictions: [],
    ...partial,
  };
}

describe('report parts', () => {
  it('lists the largest off-diagonal cells with the most confidently wrong notes first', () => {
    const p = (noteStr: string, t: number, predicted: number, conf: number) => ({
      noteStr,
      trueFamily: t,
      predicted,
      probabilities: [0, 1, 2].map((i) => (i === predicted ? conf : (1 - conf) / 2)),
    });
    const e = evaluation({
      predictions: [
        p('a1', 0, 1, 0.5),
        p('a2', 0, 1, 0.9),
        p('a3', 0, 1, 0.7),
        p('a4', 0, 1, 0.6),
        p('b1', 1, 2, 0.8),
      ],
    });
    const top = topConfusions(e, 3, 3);
    expect(top.map((c) => [c.trueLabel, c.predictedLabel, c.count])).toEqual([
      ['a', 'b', 3],
      ['b', 'c', 3],
      ['c', 'a', 3],
    ]);
    expect(top[0]!.rowShare).toBeCloseTo(3 / 9);
    expect(top[0]!.examples.map((x) => [x.noteStr, x.confidence])).toEqual([
      ['a2', 0.9],
      ['a3', 0.7],
      ['a4', 0.6],
    ]);
    expect(
      topConfusions(
        evaluation({
          confusion: [
            [2, 0],
            [0, 3],
          ],
          labels: ['a', 'b'],
        }),
        5,
        3,
      ),
    ).toEqual([]);
  });

  it('centres on the test evaluation of the best weights, else the last, else the newest', () => {
    const best = evaluation({ id: 1 });
    const last = evaluation({ id: 2, weights: 'last' });
    const valid = evaluation({ id: 3, split: 'valid', weights: 'external' });
    expect(focusEvaluation([best, last, valid])!.id).toBe(1);
    expect(focusEvaluation([last, valid])!.id).toBe(2);
    expect(focusEvaluation([valid])!.id).toBe(3);
    expect(focusEvaluation([])).toBeNull();
  });

  it('plays at least 1 s of the clip the model saw, within the note', () => {
    expect(exampleClip({ start: 0, seconds: 0.5 })).toEqual({ start: 0, seconds: 1 });
    expect(exampleClip({ start: 1, seconds: 2 })).toEqual({ start: 1, seconds: 2 });
    expect(exampleClip({ start: 3.5, seconds: 0.5 })).toEqual({ start: 3, seconds: 1 });
    expect(exampleClip({ start: 0, seconds: 4 })).toEqual({ start: 0, seconds: 4 });
  });

  it('draws curves as SVG with round ticks, and says so when there is nothing to draw', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.37, 2.91)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(1.42, 2.68)).toEqual([1, 1.5, 2, 2.5, 3]);
    expect(niceTicks(0.012, 0.02)).toEqual([0.012, 0.014, 0.016, 0.018, 0.02]);
    expect(niceTicks(2, 2).length).toBeGreaterThan(1);
    const svg = lineChartSvg({
      title: 'Loss <per> epoch',
      xLabel: 'epoch',
      series: [
        {
          label: 'a',
          color: '#123456',
          points: [
            { x: 1, y: 2 },
            { x: 2, y: 1 },
          ],
        },
        { label: 'b', color: '#654321', dashed: true, points: [{ x: 1, y: NaN }] },
      ],
    });
    expect(svg).toMatch(/^<svg class="chart"/);
    expect(svg).toContain('Loss &lt;per&gt; epoch');
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg).not.toMatch(/NaN|http/);
    expect(lineChartSvg({ title: 'Empty', xLabel: 'epoch', series: [] })).toContain('no epochs recorded');
  });

  it('escapes what users type, in HTML, CSV and Markdown', () => {
    expect(escapeHtml(`<b a="1">&'`)).toBe('&lt;b a=&quot;1&quot;&gt;&amp;&#39;');
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, "b"')).toBe('"a, ""b"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField(null)).toBe('');
    // Text a spreadsheet would run as a formula is kept as text; numbers stay numbers.
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('+1+cmd|calc')).toBe("'+1+cmd|calc");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('-0.5')).toBe('-0.5');
    expect(csvField('+1e-3')).toBe('+1e-3');
    expect(csvField(-0.25)).toBe('-0.25');
    expect(csvField('a=b')).toBe('a=b');
    expect(markdownTable(['x'], [['a|b\nc']])).toBe('| x |\n| --- |\n| a\\|b c |');
  });

  it('names CSV files after --out and formats after the extension', () => {
    expect(csvPaths('/r/results.csv')).toEqual({
      runs: '/r/results-runs.csv',
      epochs: '/r/results-epochs.csv',
      predictions: '/r/results-predictions.csv',
    });
    expect(csvPaths('/r/results').runs).toBe('/r/results-runs.csv');
    expect(formatOfPath('a/B.HTML')).toBe('html');
    expect(formatOfPath('a.md')).toBe('md');
    expect(formatOfPath('a.txt')).toBeUndefined();
  });

  it('finds Chromium by TIMBRE_CHROMIUM, install location or PATH, and says how to get one', () => {
    const fake = path.join(dir, 'bin', 'chromium');
    fs.mkdirSync(path.dirname(fake), { recursive: true });
    fs.writeFileSync(fake, '');
    const none = { env: {}, candidates: [], pathDirs: [] };
    expect(findChromium(none)).toBeUndefined();
    expect(() => requireChromium(none)).toThrow(`${PDF_NEEDS_CHROMIUM}.`);
    expect(findChromium({ ...none, candidates: ['/nope', fake] })).toBe(fake);
    expect(findChromium({ ...none, pathDirs: ['/nope', path.dirname(fake)] })).toBe(fake);
    expect(findChromium({ ...none, env: { TIMBRE_CHROMIUM: fake } })).toBe(fake);
    expect(() => findChromium({ ...none, env: { TIMBRE_CHROMIUM: '/nope/chrome' } })).toThrow(
      /TIMBRE_CHROMIUM is "\/nope\/chrome", which is not a file/,
    );
  });

  it('writes files whole, creating the folder, and leaves no temporary file behind', () => {
    const file = path.join(dir, 'new', 'deep', 'r.md');
    writeFileAtomic(file, 'one');
    writeFileAtomic(file, 'two');
    expect(fs.readFileSync(file, 'utf8')).toBe('two');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['r.md']);
    expect(() => writeFileAtomic(path.join(dir, 'new'), 'x')).toThrow(/is a folder; give a file name/);
  });
});
