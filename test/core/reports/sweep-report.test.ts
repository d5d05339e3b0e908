import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkArgs } from '../../../src-main/core/api-schema';
import { NotFoundError, Workbench } from '../../../src-main/core/workbench';
import { saveName, savePaths } from '../../../src-main/core/reports/export';
import { REPORT_FORMATS } from '../../../src-main/core/reports/registry';
import {
  collectSweepReport,
  earlyStoppingText,
  searchSpace,
  spread,
} from '../../../src-main/core/reports/sweep/collect';
import type { SweepReportData } from '../../../src-main/core/reports/sweep/types';
import type { SweepDetail } from '../../../src-main/shared/sweeps';
import { tempDir } from '../../helpers/tmp';
import { STOP_REASON, sweepWithResults } from './sweep-fixture';
import { TEX_REPORT_COMMANDS, texShape } from './tex-check';

// A sweep named like an attack: every format must print it as text.
const NAME = '<script>alert(1)</script> lr & width';

let dir: string;
let cleanup: () => void;
let wb: Workbench;
let sweep: SweepDetail;
let data: SweepReportData;
const ids = () => sweep.runs.map((r) => r.run.id);
const out = (name: string) => path.join(dir, 'out', name);

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  const home = path.join(dir, 'home');
  sweep = await sweepWithResults(home, NAME);
  wb = new Workbench({ home, queue: 'watch' });
  data = await collectSweepReport(
    { getSweep: (id) => wb.getSweep(id), getRun: (id) => wb.getRun(id) },
    sweep.id,
    Date.parse('2026-01-02T03:04:05Z'),
  );
});
afterAll(async () => {
  await wb?.close();
  cleanup?.();
});

describe('a sweep report', () => {
  it('gathers the search space, every run, each configuration with its spread, and the best by mean', () => {
    expect(data.generatedAt).toBe('2026-01-02T03:04:05.000Z');
    expect(data.space.map((e) => [e.key, e.kind, e.text])).toEqual([
      ['hidden', 'grid', '8, 16'],
      ['lr', 'grid', '0.001, 0.0003'],
    ]);
    expect(data.base).toEqual({
      preset: 'seed-lstm',
      overrides: { epochs: 3, 'model.type': 'mlp', 'model.layers': 1 },
    });
    expect(data.earlyStopping).toMatch(/^ASHA: at epoch 1 the top 1\/2 continue/);
    expect(data.runs.map((r) => r.id)).toEqual(ids());
    expect(data.runs.map((r) => r.status)).toEqual([
      'finished',
      'finished',
      'finished',
      'stopped',
      'failed',
      'queued',
      'queued',
      'queued',
    ]);
    expect(data.runs.map((r) => r.seed)).toEqual([5, 6, 5, 6, 5, 6, 5, 6]);
    expect(data.runs[3]!.reason).toBe(STOP_REASON);
    expect(data.runs[0]!.params['model.hidden']).toBe(8);

    const [c1, c2, c3, c4] = data.configurations;
    expect(data.configurations.map((c) => c.label)).toEqual([
      'hidden=8 lr=0.001',
      'hidden=8 lr=0.0003',
      'hidden=16 lr=0.001',
      'hidden=16 lr=0.0003',
    ]);
    expect(c1!.valAccuracy.n).toBe(2);
    expect(c1!.valAccuracy.mean).toBeCloseTo(0.75, 12);
    expect(c1!.valAccuracy.sd).toBeCloseTo(Math.SQRT2 * 0.05, 12);
    expect(c1!.testAccuracy.mean).toBeCloseTo(0.65, 12);
    expect(c2!.valAccuracy.mean).toBeCloseTo(0.6, 12);
    expect(c2!.testAccuracy).toEqual({ n: 1, mean: 0.88, sd: null });
    expect(c3!.valAccuracy).toEqual({ n: 0, mean: null, sd: null });
    expect(c4!.runIds).toEqual(ids().slice(6));

    // Configuration 2 holds the best single run (90 %), but configuration 1 is best on average.
    expect(data.best?.by).toBe('mean');
    expect(data.best?.configuration.trial).toBe(0);
    expect(data.best?.run.id).toBe(ids()[1]);
  });

  it('describes a random search space, median stopping, and the spread of few values', () => {
    const space = searchSpace({
      name: 'r',
      base: {},
      method: 'random',
      trials: 4,
      random: {
        lr: { kind: 'loguniform', min: 1e-4, max: 0.01 },
        dropout: { kind: 'uniform', min: 0, max: 0.5 },
        layers: { kind: 'int', min: 1, max: 3 },
        optimizer: { kind: 'choice', values: ['adam', 'sgd'] },
      },
    });
    expect(space.map((e) => [e.key, e.text])).toEqual([
      ['lr', 'log-uniform from 0.0001 to 0.01'],
      ['dropout', 'uniform from 0 to 0.5'],
      ['layers', 'whole number from 1 to 3'],
      ['optimizer', 'one of adam, sgd'],
    ]);
    expect(space[3]).toMatchObject({ kind: 'choice', values: ['adam', 'sgd'], label: expect.any(String) });
    const spec = { name: 'm', base: {}, method: 'grid' as const };
    expect(earlyStoppingText(spec, 5)).toBeNull();
    expect(earlyStoppingText({ ...spec, earlyStopping: { method: 'median' } }, 5)).toBe(
      'median stopping: from epoch 3, a run below the median of the others stops (once 3 other runs have reached the epoch)',
    );
    expect(earlyStoppingText({ ...spec, earlyStopping: { method: 'asha' } }, 10)).toMatch(
      /^ASHA: at epochs 1, 3, 9 the top 1\/3 continue/,
    );
    expect(earlyStoppingText({ ...spec, earlyStopping: { method: 'asha', rungs: [4] } }, 4)).toMatch(
      /no run is stopped/,
    );
    expect(spread([])).toEqual({ n: 0, mean: null, sd: null });
    expect(spread([0.5, null])).toEqual({ n: 1, mean: 0.5, sd: null });
    expect(spread([1, 2, 3])).toEqual({ n: 3, mean: 2, sd: 1 });
  });

  it('writes every registered format with the space, each run, the best configuration and mean ± sd', async () => {
    expect(REPORT_FORMATS).toEqual(['html', 'md', 'csv', 'json', 'pdf', 'tex']);
    const text: Record<string, string> = {};
    for (const format of REPORT_FORMATS.filter((f) => f !== 'pdf' && f !== 'csv')) {
      const result = await wb.writeReport({ sweep: sweep.id }, format, out(`sweep.${format}`));
      expect(result).toMatchObject({ format, sweep: sweep.id, runs: ids() });
      expect(result.files).toHaveLength(1);
      text[format] = fs.readFileSync(result.files[0]!.path, 'utf8');
    }
    for (const format of ['html', 'md', 'tex']) {
      const t = text[format]!;
      expect(t, format).toContain('0.001, 0.0003');
      expect(t, format).toContain('8, 16');
      expect(t, format).toContain('seed-lstm');
      for (const r of sweep.runs) expect(t, format).toContain(r.label);
      // Configuration 1's spread, and configuration 2's test accuracy of one run.
      expect(t, format).toMatch(/75\.0 (\\%|%) (±|\\textpm\{\}) 7\.1 (\\%|%)/);
      expect(t, format).toMatch(/60\.0 (\\%|%) (±|\\textpm\{\}) 42\.4 (\\%|%)/);
      expect(t, format).toMatch(
        /By mean best validation accuracy over its seeds: configuration 1 \(hidden=8 lr=0\.001\)/,
      );
      expect(t, format).toMatch(/1 finished|3 finished/);
    }
    expect(text.md).toMatch(/^# Sweep report: <script>alert\(1\)<\/script> lr & width \(#\d+\)$/m);
    expect(text.md).toMatch(/\| model\.hidden \(varied\) \| 8 \|/);
    expect(text.md).toContain('| lr (varied) | 0.001 |');

    const json = JSON.parse(text.json!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(json.format).toBe('timbre-sweep-report');
    expect(json.sweep.name).toBe(NAME);
    expect(json.space).toEqual(data.space);
    expect(json.runs).toHaveLength(8);
    expect(json.runs[3].reason).toBe(STOP_REASON);
    expect(json.configurations[0].valAccuracy.mean).toBeCloseTo(0.75, 12);
    expect(json.best).toMatchObject({ by: 'mean', runId: ids()[1], configuration: { trial: 0 } });
    expect(json.best.settings['training.lr'] ?? json.best.settings.lr).toBe(0.001);
  });

  it('writes CSV as two tables, runs and configurations, that a save dialog offers as one name', async () => {
    const result = await wb.writeReport({ sweep: sweep.id }, 'csv', out('sweep.csv'));
    expect(result.files.map((f) => path.basename(f.path))).toEqual([
      'sweep-runs.csv',
      'sweep-configurations.csv',
    ]);
    const [runs, configs] = result.files.map((f) => fs.readFileSync(f.path, 'utf8').trim().split('\n'));
    expect(runs![0]).toMatch(
      /^run_id,name,label,configuration,replicate,seed,status,epochs_done,epochs,best_epoch,best_val_accuracy,test_accuracy,reason,/,
    );
    expect(runs).toHaveLength(9);
    expect(runs![4]).toContain(`,stopped,1,3,1,0.3,,${STOP_REASON},`);
    expect(configs![0]).toBe(
      'configuration,label,hidden,lr,runs,run_ids,val_n,val_accuracy_mean,val_accuracy_sd,test_n,test_accuracy_mean,test_accuracy_sd,best',
    );
    expect(configs![1]).toMatch(
      /^1,hidden=8 lr=0\.001,8,0\.001,2,\d+;\d+,2,0\.75,0\.0707\d+,2,0\.(65|64999)\d*,0\.0707\d+,1$/,
    );
    expect(configs![3]).toMatch(/^3,hidden=16 lr=0\.001,16,0\.001,2,\d+;\d+,0,,,0,,,0$/);

    const files = await wb.exportSweepReport(sweep.id, 'csv');
    const names = files.files.map((f) => f.name);
    expect(names).toEqual([
      `timbre-sweep-${sweep.id}-runs.csv`,
      `timbre-sweep-${sweep.id}-configurations.csv`,
    ]);
    expect(saveName(names)).toBe(`timbre-sweep-${sweep.id}.csv`);
    expect(savePaths(names, '/x/study')).toEqual(['/x/study-runs.csv', '/x/study-configurations.csv']);
  });

  it('escapes the sweep name and every reason in HTML: nothing can run or load', async () => {
    const { files } = await wb.exportSweepReport(sweep.id, 'html');
    expect(files.map((f) => f.name)).toEqual([`timbre-sweep-${sweep.id}.html`]);
    const html = Buffer.from(files[0]!.base64, 'base64').toString('utf8');
    expect(html).not.toMatch(/<script|<img/i);
    expect(html).toContain('<title>Sweep report: &lt;script&gt;alert(1)&lt;/script&gt; lr &amp; width');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; 50%');
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('<section id="configurations">');
  });

  it('escapes LaTeX special characters: the tables hold no command of the user', () => {
    return wb.writeReport({ sweep: sweep.id }, 'tex', out('paper.tex')).then(({ files }) => {
      const tex = fs.readFileSync(files[0]!.path, 'utf8');
      const shape = texShape(tex);
      expect(shape.problems).toEqual([]);
      expect([...shape.commands].filter((c) => !TEX_REPORT_COMMANDS.has(c) && c !== 'textpm')).toEqual([]);
      expect(tex).toContain('\\textless{}script\\textgreater{}alert(1)');
      expect(tex).toContain('\\$x\\_1\\$ \\textbackslash{}input\\{y\\}');
      expect(shape.tables.get(`tab:timbre-sweep-${sweep.id}-runs`)).toHaveLength(8);
      expect(shape.tables.get(`tab:timbre-sweep-${sweep.id}-configurations`)).toHaveLength(4);
    });
  });

  it('prints a PDF through Chromium', async () => {
    const { files } = await wb.writeReport({ sweep: sweep.id }, 'pdf', out('sweep.pdf'));
    expect(fs.readFileSync(files[0]!.path).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('names an unknown sweep, writing nothing', async () => {
    await expect(wb.exportSweepReport(999, 'md')).rejects.toThrow(NotFoundError);
    await expect(wb.exportSweepReport(999, 'md')).rejects.toThrow(
      'No sweep 999. `timbre sweep list` shows them.',
    );
    await expect(wb.writeReport({ sweep: 999 }, 'md', out('none.md'))).rejects.toThrow(/No sweep 999/);
    expect(fs.existsSync(out('none.md'))).toBe(false);
  });

  it('checks the API arguments: a positive sweep id and a registered format', () => {
    expect(checkArgs('exportSweepReport', [3, 'tex'])).toEqual([3, 'tex']);
    expect(() => checkArgs('exportSweepReport', [0, 'md'])).toThrow(
      /exportSweepReport: invalid arguments at 0/,
    );
    expect(() => checkArgs('exportSweepReport', [3, 'docx'])).toThrow(
      /exportSweepReport: invalid arguments at 1/,
    );
    expect(() => checkArgs('exportSweepReport', [[3], 'md'])).toThrow(/invalid arguments at 0/);
  });
});
