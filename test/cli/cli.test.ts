import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary } from '../../src-main/shared/types';
import { timbre } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

let dir: string;
let cleanup: () => void;
let home: string;
let rendered: string;

beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  home = path.join(dir, 'home');
  rendered = path.join(dir, 'tiny');
});
afterAll(() => cleanup());

describe('timbre command line', () => {
  it('prints help for the program and for every command, exit 0', () => {
    const top = timbre(home, ['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/dataset\s+render, import/);
    // The model types and report formats of the registries, none written into the help by hand.
    expect(top.stdout).toMatch(/train .*\(MLP, CNN, LSTM, BLSTM, CNN2D, CRNN, GRU, BGRU\)/);
    expect(top.stdout).toMatch(/report .*HTML, Markdown, CSV, JSON, PDF, LaTeX tables/);
    for (const args of [
      ['dataset', '--help'],
      ['dataset', 'render', '--help'],
      ['dataset', 'import', '--help'],
      ['dataset', 'list', '--help'],
      ['dataset', 'show', '--help'],
      ['dataset', 'default', '--help'],
      ['features', '--help'],
    ]) {
      const r = timbre(home, args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(/Usage:|timbre /);
    }
  });

  it('rejects bad command lines with one clear line and exit code 2, writing nothing', () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /Unknown command "frobnicate"/],
      [['dataset', 'render'], /--out DIR is required/],
      [
        ['dataset', 'render', '--out', path.join(dir, 'x'), '--preset', 'huge'],
        /--preset must be one of tiny, default/,
      ],
      [
        ['dataset', 'render', '--out', path.join(dir, 'x'), '--seed=-1'],
        /--seed must be a whole number from 0/,
      ],
      [['dataset', 'import'], /Give exactly one folder/],
      [['dataset', 'list', '--bogus'], /Unknown option '--bogus'/],
      [['features', '--features', 'wavelets'], /--features must be one of raw, logmel, mfcc/],
      [['features', '--n-mels', '2'], /--n-mels must be a whole number from 8 to 256/],
      [['features', '--n-fft', '100'], /--n-fft must be a power of two from 64 to 8192/],
    ];
    for (const [args, message] of cases) {
      const r = timbre(home, args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(fs.existsSync(path.join(dir, 'x'))).toBe(false);
  });

  it('renders the tiny set, imports it, lists and shows it as JSON', () => {
    const r = timbre(home, ['dataset', 'render', '--out', rendered, '--preset', 'tiny', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const render = r.json() as { notes: number; splits: Record<string, { notes: number }> };
    expect(render.notes).toBeGreaterThan(100);

    const imp = timbre(home, ['dataset', 'import', rendered, '--name', 'tiny', '--json']);
    expect(imp.code, imp.stderr).toBe(0);
    const summary = imp.json() as DatasetSummary;
    expect(Object.keys(summary).sort()).toEqual([
      'createdAt',
      'fingerprint',
      'id',
      'name',
      'root',
      'skipped',
      'splitRule',
      'splits',
    ]);
    expect(summary.name).toBe('tiny');
    expect(summary.root).toBe(rendered);
    expect(summary.skipped).toEqual([]);
    for (const split of ['train', 'valid', 'test'] as const) {
      expect(summary.splits[split]!.notes).toBe(render.splits[split]!.notes);
      const sum = Object.values(summary.splits[split]!.families).reduce((a, b) => a + b, 0);
      expect(sum).toBe(summary.splits[split]!.notes);
    }

    const list = timbre(home, ['dataset', 'list', '--json']);
    expect((list.json() as DatasetSummary[]).map((d) => d.name)).toEqual(['tiny']);
    const show = timbre(home, ['dataset', 'show', 'tiny']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(summary.fingerprint);
    expect(show.stdout).toMatch(/split\s+bass/);
    const missing = timbre(home, ['dataset', 'show', '42']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No data set "42"/);
  });

  it('computes features once and reuses them', () => {
    const first = timbre(home, [
      'features',
      '--dataset',
      'tiny',
      '--features',
      'mfcc',
      '--n-mfcc',
      '13',
      '--json',
    ]);
    expect(first.code, first.stderr).toBe(0);
    const info = first.json() as { built: boolean; shape: { steps: number; dims: number }; dir: string };
    expect(info.built).toBe(true);
    expect(info.shape).toEqual({ steps: 63, dims: 13 });
    expect(info.dir.startsWith(path.join(home, 'features'))).toBe(true);
    const again = timbre(home, [
      'features',
      '--dataset',
      'tiny',
      '--features',
      'mfcc',
      '--n-mfcc',
      '13',
      '--json',
    ]);
    expect((again.json() as { built: boolean }).built).toBe(false);
  });

  it('renders and registers the default data set on first use only', () => {
    const own = path.join(dir, 'home-default');
    const env = { TIMBRE_DEFAULT_PRESET: 'tiny' };
    const first = timbre(own, ['dataset', 'default', '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/Rendering the default data set/);
    const d = first.json() as DatasetSummary;
    expect(d.name).toBe('default');
    expect(d.root).toBe(path.join(own, 'datasets', 'default'));
    const second = timbre(own, ['dataset', 'default', '--json'], env);
    expect(second.stderr).not.toMatch(/Rendering/);
    expect((second.json() as DatasetSummary).id).toBe(d.id);
  });
});
