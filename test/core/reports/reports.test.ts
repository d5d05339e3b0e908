import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workbench } from '../../../src-main/core/workbench';
import { parseWavHeader } from '../../../src-main/core/datasets/wav';
import { collectReport } from '../../../src-main/core/reports/collect';
import { writeReport } from '../../../src-main/core/reports/export';
import { reportTex } from '../../../src-main/core/reports/formats/tex';
import { PDF_NEEDS_CHROMIUM } from '../../../src-main/core/reports/pdf';
import { resolveTrainConfig, type TrainOverrides } from '../../../src-main/core/training/config';
import { FAMILIES } from '../../../src-main/shared/constants';
import type { RunDetail } from '../../../src-main/shared/training';
import { openStore, reportSource, type TestStore } from '../../helpers/store';
import { tinyDataset } from '../../helpers/tiny';
import { tempDir } from '../../helpers/tmp';
import { TEX_REPORT_COMMANDS, texShape } from './tex-check';

let wb: Workbench;
// The home's database on the test's own connection: the report's source for collectReport, and
// runs recorded by hand.
let store: TestStore;
let dir: string;
let cleanup: () => void;
const runs: RunDetail[] = [];
const ids = () => runs.map((r) => r.id);
const out = (name: string) => path.join(dir, 'out', name);

// Two small runs that differ in width and learning rate, trained for real on the tiny set.
const SMALL: TrainOverrides = {
  epochs: 2,
  batch: 16,
  features: { representation: 'logmel', seconds: 0.5, nMels: 16, normalization: 'standard', maxPerFamily: 3 },
};

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  wb = new Workbench({ home: path.join(dir, 'home') });
  const dataset = (await wb.importDataset(await tinyDataset(), 'tiny')).id;
  for (const [name, model, lr] of [
    ['alpha mlp', { type: 'mlp', hidden: 16, layers: 1 }, 0.0008],
    ['beta mlp', { type: 'mlp', hidden: 8, layers: 1 }, 0.003],
  ] as const) {
    const run = await wb.createRun({
      preset: 'seed-lstm',
      name,
      overrides: { ...SMALL, lr, model },
      dataset,
      backend: 'cpu',
    });
    runs.push(await wb.waitForRun(run.id));
  }
  for (const r of runs) expect(r.status, r.error ?? '').toBe('finished');
  store = openStore(path.join(dir, 'home'));
});
afterAll(async () => {
  store?.close();
  await wb?.close();
  cleanup?.();
});

// RFC 4180 CSV into rows of fields (quoted fields may hold commas, quotes and line breaks).
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') field += text[++i];
      else if (c === '"') quoted = false;
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

// The part of HTMLAudioElement the test uses (the test compiles without DOM types).
const AUDIO = /data:audio\/wav;base64,([A-Za-z0-9+/=]+)/g;

describe('HTML report', () => {
  let html: string;
  let file: string;

  beforeAll(async () => {
    const result = await wb.writeReport(ids(), 'html', out('report.html'));
    expect(result.files).toHaveLength(1);
    file = result.files[0]!.path;
    html = fs.readFileSync(file, 'utf8');
    expect(result.files[0]!.bytes).toBe(Buffer.byteLength(html));
  });

  it('is one self-contained file without any http(s) reference', () => {
    expect(fs.readdirSync(path.dirname(file))).toEqual(['report.html']);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script|<link\b|<img\b[^>]*src="(?!data:)|url\(/i);
    expect(html).toMatch(/^<!doctype html>/);
  });

  it('holds the runs, their parameters, curves, confusion matrices and per-family metrics', () => {
    for (const r of runs) {
      expect(html).toContain(r.name);
      expect(html).toContain(`id="run-${r.id}"`);
    }
    expect(html).toMatch(/<tr class="diff"><th><span class="mark"[^>]*>≠<\/span> lr<\/th>/);
    expect(html).toMatch(/<tr class="diff"><th><span class="mark"[^>]*>≠<\/span> model\.hidden<\/th>/);
    expect(html).toMatch(/<svg class="chart"[^>]*aria-label="Loss per epoch"/);
    expect(html).toMatch(/<svg class="chart"[^>]*aria-label="Accuracy per epoch"/);
    expect(html.match(/<polyline class="curve"/g)!.length).toBe(8); // 2 runs x train/val x loss/acc
    expect(html.match(/<table class="cm">/g)).toHaveLength(2);
    expect(html).toMatch(/<td class="cell diag[^"]*"/);
    expect(html).toContain('true \\ predicted');
    expect(html).toMatch(/<th>macro average<\/th>/);
    expect(html).toContain('prefers-color-scheme: dark');
    expect(html).toContain('@media print');
    // The test accuracy of best weights, as recorded, in the summary.
    for (const r of runs) expect(html).toContain(`${(r.testAccuracy! * 100).toFixed(1)} %`);
  });

  it('embeds misclassified notes as playable 16 kHz mono WAV clips, labelled', () => {
    const clips = [...html.matchAll(AUDIO)].map((m) => Buffer.from(m[1]!, 'base64'));
    expect(clips.length).toBeGreaterThan(0);
    expect(clips.length).toBeLessThanOrEqual(2 * 5 * 3);
    for (const wav of clips) {
      const info = parseWavHeader(wav, wav.length);
      expect(info).toMatchObject({ format: 1, channels: 1, sampleRate: 16000, bitsPerSample: 16 });
      // The model saw 0-0.5 s; the clip is lengthened to 1 s so it can be heard.
      expect(info.dataBytes).toBe(16000 * 2);
    }
    expect(html).toMatch(/<code>[^<]+-\d{3}-\d{3}<\/code><span>\w+ → \w+, confidence [01]\.\d\d<\/span>/);
  });

  it('opens from disk in Chromium with the network blocked: audio loads, curves show', async () => {
    const browser = await chromium.launch({
      executablePath: process.env.TIMBRE_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const context = await browser.newContext();
      const refused: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        refused.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(pathToFileURL(file).href);
      // The first clip's metadata, as a browser decodes it from the data: URI.
      const duration = await page
        .locator('audio')
        .first()
        .evaluate(async (element) => {
          const audio = element as HTMLAudioElement;
          if (audio.readyState < 1) {
            await new Promise<void>((resolve, reject) => {
              audio.addEventListener('loadedmetadata', () => resolve(), { once: true });
              audio.addEventListener('error', () => reject(new Error(`audio error ${audio.error?.code}`)), {
                once: true,
              });
              audio.load();
            });
          }
          return audio.duration;
        });
      expect(duration).toBeCloseTo(1, 2);
      const curve = page.locator('svg.chart polyline.curve').first();
      expect(await curve.isVisible()).toBe(true);
      const box = (await curve.boundingBox())!;
      expect(box.width).toBeGreaterThan(50);
      const cm = (await page.locator('table.cm').first().boundingBox())!;
      expect(cm.width).toBeGreaterThan(200);
      expect(refused).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
  it("still writes the report when a note's WAV file is gone, saying so in place of the player", async () => {
    const source = {
      ...reportSource(store),
      datasets: {
        notes: (id: number) => store.datasets.notes(id).map((n) => ({ ...n, path: `${n.path}.gone` })),
      },
    };
    const { files } = await writeReport(source, ids(), 'html', out('gone/report.html'));
    const page = fs.readFileSync(files[0]!.path, 'utf8');
    expect(page).not.toContain('data:audio/wav');
    expect(page).toMatch(/\(no audio: ENOENT[^)]*\.wav\.gone/);
  });
});

describe('other formats', () => {
  it('Markdown: a results table with test acc, per-family and confusion tables per run', async () => {
    const { files } = await wb.writeReport(ids(), 'md', out('report.md'));
    const md = fs.readFileSync(files[0]!.path, 'utf8');
    expect(md).toMatch(
      /^\| run \| model \| features \| optimizer \| batch \| epochs \| best val acc \| test acc \|$/m,
    );
    expect(md).toMatch(/^\| --- \| --- \| --- \| --- \| ---: \|/m);
    for (const r of runs) {
      expect(md).toContain(`| #${r.id} ${r.name} | mlp ${r.config.model.hidden}x1 |`);
      expect(md).toContain(`## #${r.id} ${r.name}`);
    }
    expect(md).toMatch(/^\| family \| precision \| recall \| F1 \| support \|$/m);
    expect(md.match(/^\| true \\ predicted \|/gm)).toHaveLength(2);
    expect(md).toMatch(/^\| lr \| 0\.0008 \| 0\.003 \|$/m);
  });

  it('CSV: three files; one row per run with a column per parameter, epochs and predictions', async () => {
    const { files } = await wb.writeReport(ids(), 'csv', out('results.csv'));
    expect(files.map((f) => path.basename(f.path))).toEqual([
      'results-runs.csv',
      'results-epochs.csv',
      'results-predictions.csv',
    ]);
    const [runsCsv, epochsCsv, predsCsv] = files.map((f) => parseCsv(fs.readFileSync(f.path, 'utf8')));
    const header = runsCsv![0]!;
    expect(runsCsv!.length - 1).toBe(runs.length);
    expect(header).toEqual(
      expect.arrayContaining(['run_id', 'test_accuracy_best', 'lr', 'model.hidden', 'features.nMels']),
    );
    const row = runsCsv![1]!;
    expect(row[header.indexOf('model.hidden')]).toBe('16');
    expect(Number(row[header.indexOf('test_accuracy_best')])).toBe(runs[0]!.testAccuracy);
    expect(epochsCsv![0]!.join(',')).toBe(
      'run_id,epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds,samples_per_second,best',
    );
    expect(epochsCsv!.length - 1).toBe(4);
    const ph = predsCsv![0]!;
    expect(ph.slice(0, 10)).toEqual([
      'run_id',
      'evaluation_id',
      'split',
      'weights',
      'model_epoch',
      'note_str',
      'true',
      'predicted',
      'correct',
      'confidence',
    ]);
    expect(ph.slice(10)).toEqual(FAMILIES.map((f) => `p_${f}`));
    const notes = runs
      .flatMap((r) => r.evaluations)
      .reduce((a, e) => a + e.confusion.flat().reduce((x, y) => x + y, 0), 0);
    expect(predsCsv!.length - 1).toBe(notes);
    const first = predsCsv![1]!;
    const probs = first.slice(10).map(Number);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(Number(first[9])).toBe(probs[FAMILIES.indexOf(first[7] as (typeof FAMILIES)[number])]);
  });

  it('JSON: every run with its epochs, evaluations and per-note predictions', async () => {
    const { files } = await wb.writeReport(ids(), 'json', out('report.json'));
    const doc = JSON.parse(fs.readFileSync(files[0]!.path, 'utf8'));
    expect(doc.format).toBe('timbre-report');
    expect(doc.runs.map((r: RunDetail) => r.id)).toEqual(ids());
    expect(Object.keys(doc.comparison.differing).sort()).toEqual(['lr', 'model.hidden']);
    for (const [i, r] of doc.runs.entries()) {
      expect(r.history).toEqual(runs[i]!.history);
      expect(r.config).toEqual(runs[i]!.config);
      expect(r.evaluations).toHaveLength(runs[i]!.evaluations.length);
      const test = r.evaluations.find(
        (e: { weights: string; split: string }) => e.weights === 'best' && e.split === 'test',
      );
      expect(test.predictions.length).toBe(test.confusion.flat().reduce((a: number, b: number) => a + b, 0));
      expect(test.predictions[0].probabilities).toHaveLength(FAMILIES.length);
      expect(r.validationPredictions.map((v: { epoch: number }) => v.epoch)).toEqual([1, 2]);
    }
  });

  it('PDF: printed by Chromium', async () => {
    // CI installs Chromium: a missing one fails this test rather than skipping it.
    const { files } = await wb.writeReport(ids(), 'pdf', out('report.pdf'));
    const pdf = fs.readFileSync(files[0]!.path);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(10_000);
  });

  it('PDF without Chromium: says how to get it, writes nothing', async () => {
    const target = out('none.pdf');
    await expect(
      wb.writeReport(ids(), 'pdf', target, { chromium: { env: {}, candidates: [], pathDirs: [] } }),
    ).rejects.toThrow(PDF_NEEDS_CHROMIUM);
    expect(fs.existsSync(target)).toBe(false);
  });

  it('refuses an unknown run and a run given twice, naming them', async () => {
    await expect(wb.writeReport([...ids(), 999], 'md', out('x.md'))).rejects.toThrow(/No run 999\./);
    await expect(wb.writeReport([runs[0]!.id, runs[0]!.id], 'md', out('x.md'))).rejects.toThrow(
      /given twice/,
    );
    expect(fs.existsSync(out('x.md'))).toBe(false);
  });

  it('reports a run that has recorded nothing yet next to a finished one', async () => {
    const empty = store.runs.create({
      name: 'not started',
      config: resolveTrainConfig('seed-lstm', SMALL),
      preset: 'seed-lstm',
      datasetId: runs[0]!.datasetId!,
      datasetFingerprint: runs[0]!.datasetFingerprint,
      appVersion: '0.1.0',
    });
    const both = [runs[0]!.id, empty];
    const html = fs.readFileSync(
      (await wb.writeReport(both, 'html', out('empty.html'))).files[0]!.path,
      'utf8',
    );
    expect(html).toContain('No evaluation recorded yet (the run is queued).');
    expect(html).not.toMatch(/NaN|undefined/);
    const md = fs.readFileSync((await wb.writeReport(both, 'md', out('empty.md'))).files[0]!.path, 'utf8');
    expect(md).toMatch(/^\| #\d+ not started \| lstm 128x3 \|.*\| 0\/2 \| – \| – \|$/m);
    const json = JSON.parse(
      fs.readFileSync((await wb.writeReport(both, 'json', out('empty.json'))).files[0]!.path, 'utf8'),
    );
    expect(json.runs[1].history).toEqual([]);
    store.runs.remove(empty);
  });
});

describe('LaTeX report', () => {
  it('booktabs tables: runs, differing parameters, best/last metrics, per run families and confusions', async () => {
    const { files, format } = await wb.writeReport(ids(), 'tex', out('paper.tex'));
    expect(format).toBe('tex');
    expect(files.map((f) => path.basename(f.path))).toEqual(['paper.tex']);
    const tex = fs.readFileSync(files[0]!.path, 'utf8');
    expect(tex).toMatch(/^% .*\\usepackage\{booktabs\}/m);
    const shape = texShape(tex);
    expect(shape.problems).toEqual([]);
    expect([...shape.commands].filter((c) => !TEX_REPORT_COMMANDS.has(c))).toEqual([]);
    const labels = [
      'tab:timbre-runs',
      'tab:timbre-parameters',
      'tab:timbre-metrics',
      ...runs.flatMap((r) => [`tab:timbre-run-${r.id}-families`, `tab:timbre-run-${r.id}-confusion`]),
    ];
    expect([...shape.tables.keys()]).toEqual(labels);
    expect(tex.match(/\\toprule/g)).toHaveLength(labels.length);
    expect(tex.match(/\\midrule/g)).toHaveLength(labels.length);
    expect(tex.match(/\\bottomrule/g)).toHaveLength(labels.length);

    expect(shape.tables.get('tab:timbre-runs')!.map((row) => row[0])).toEqual(
      runs.map((r) => `\\#${r.id} ${r.name}`),
    );
    expect(shape.tables.get('tab:timbre-parameters')).toEqual([
      ['lr', '0.0008', '0.003'],
      ['model.hidden', '16', '8'],
    ]);
    const metrics = shape.tables.get('tab:timbre-metrics')!;
    for (const [i, r] of runs.entries()) {
      const best = r.evaluations.find((e) => e.split === 'test' && e.weights === 'best')!;
      const last = r.evaluations.find((e) => e.split === 'test' && e.weights === 'last')!;
      expect(metrics[i]!.slice(1, 3)).toEqual(['2/2', String(r.bestEpoch)]);
      expect(metrics[i]![5]).toBe(`${(best.accuracy * 100).toFixed(1)} \\%`);
      expect(metrics[i]![6]).toBe(`${(last.accuracy * 100).toFixed(1)} \\%`);

      // Families with a note or a prediction, the same in both tables; rows sum to the support.
      const shown = best.labels.filter(
        (_, k) => best.confusion[k]!.some((v) => v > 0) || best.confusion.some((row) => row[k]! > 0),
      );
      const families = shape.tables.get(`tab:timbre-run-${r.id}-families`)!;
      const confusion = shape.tables.get(`tab:timbre-run-${r.id}-confusion`)!;
      const escaped = shown.map((l) => l.replace(/_/g, '\\_'));
      expect(families.map((row) => row[0])).toEqual(escaped);
      expect(confusion.map((row) => row[0])).toEqual(escaped);
      for (const [k, row] of confusion.entries()) {
        const cells = row.slice(1, -1).map((c) => Number(c.replace(/^\\textbf\{(\d+)\}$/, '$1')));
        expect(row[k + 1]).toMatch(/^\\textbf\{\d+\}$/);
        expect(cells.reduce((a, b) => a + b, 0)).toBe(Number(row.at(-1)));
        expect(Number(families[k]![4])).toBe(Number(row.at(-1)));
      }
      const notes = confusion.reduce((a, row) => a + Number(row.at(-1)), 0);
      expect(notes).toBe(best.confusion.flat().reduce((a, b) => a + b, 0));
    }
  });

  it('escapes every name, tag and note: a hostile run name stays text', async () => {
    const data = await collectReport(reportSource(store), ids(), { audio: false });
    data.runs[0]!.detail.name = '\\input{/etc/passwd}';
    data.runs[1]!.detail.name = '$\\write18{rm -rf}$ & 100% #1 ~^_';
    data.runs[0]!.detail.tags = ['a&b', '^^5cinput{x}'];
    data.runs[1]!.detail.notes = 'first line\n\\end{table}\\input{x}\n% not a comment';
    const tex = reportTex(data);
    const shape = texShape(tex);
    expect(shape.problems).toEqual([]);
    expect([...shape.commands].filter((c) => !TEX_REPORT_COMMANDS.has(c))).toEqual([]);
    expect(tex).toContain('\\#' + runs[0]!.id + ' \\textbackslash{}input\\{/etc/passwd\\}');
    expect(tex).toContain('\\$\\textbackslash{}write18\\{rm -rf\\}\\$ \\& 100\\% \\#1');
    expect(shape.tables.get('tab:timbre-runs')![0]!.at(-1)).toBe(
      'a\\&b, \\textasciicircum{}\\textasciicircum{}5cinput\\{x\\}',
    );
    // The note is one comment line.
    expect(tex).toMatch(
      /^% Notes of run .*first line \\textbackslash\{\}end\\\{table\\\}.* \\% not a comment$/m,
    );
  });

  it('a run with nothing recorded yet gets its settings and metrics rows and a comment', async () => {
    const empty = store.runs.create({
      name: 'not started',
      config: resolveTrainConfig('seed-lstm', SMALL),
      preset: 'seed-lstm',
      datasetId: runs[0]!.datasetId!,
      datasetFingerprint: runs[0]!.datasetFingerprint,
      appVersion: '0.1.0',
    });
    try {
      const tex = fs.readFileSync(
        (await wb.writeReport([runs[0]!.id, empty], 'tex', out('e.tex'))).files[0]!.path,
        'utf8',
      );
      const shape = texShape(tex);
      expect(shape.problems).toEqual([]);
      expect(shape.tables.get('tab:timbre-metrics')![1]).toEqual([
        `\\#${empty} not started`,
        '0/2',
        '--',
        '--',
        '--',
        '--',
        '--',
        '--',
      ]);
      expect(tex).toContain(`% Run \\#${empty} not started: no evaluation recorded yet (queued).`);
      expect(shape.tables.has(`tab:timbre-run-${empty}-confusion`)).toBe(false);
      expect(tex).not.toMatch(/NaN|undefined/);
    } finally {
      store.runs.remove(empty);
    }
  });
});
