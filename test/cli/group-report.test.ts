import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportResult } from '../../src-main/core/reports/export';
import { timbre } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { seedGroups, type Seeded } from '../core/groups/fixture';

// `timbre report --group-by`: a report of groups of runs with known results (few spawns: ~1.5 s each).

let cleanup: () => void;
let dir: string;
let home: string;
let seeded: Seeded;

beforeAll(() => {
  const t = tempDir();
  ({ cleanup, dir } = t);
  home = path.join(dir, 'home');
  seeded = seedGroups(home);
});
afterAll(() => cleanup());

describe('timbre report --group-by', () => {
  it('writes the HTML report of given runs by configuration, the format from --out', () => {
    const out = path.join(dir, 'out', 'groups.html');
    const ids = [...seeded.fast, ...seeded.slow].map(String);
    const r = timbre(home, ['report', ...ids, '--group-by', 'configuration', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = r.json() as ExportResult;
    expect(result).toMatchObject({ format: 'html', groups: ['lr=0.0003', 'lr=0.001'] });
    expect(result.runs.sort((a, b) => a - b)).toEqual([...seeded.fast, ...seeded.slow].sort((a, b) => a - b));
    const html = fs.readFileSync(out, 'utf8');
    expect(html).toMatch(/lr=0\.0003 is 5\.0 points worse than lr=0\.001, 95 % CI/);
    expect(html).toContain('<svg class="chart parallel"');
    expect(html).toContain('bass_1-040-100');
  });

  it("writes a sweep's groups by a setting as CSV, with the metric and test asked for", () => {
    const out = path.join(dir, 'out', 'sweep.csv');
    const r = timbre(home, [
      'report',
      '--sweep',
      String(seeded.sweep),
      '--group-by',
      'lr',
      '--metric',
      'best_val_accuracy',
      '--test',
      'bootstrap',
      '--format',
      'csv',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Wrote the csv report of 2 groups of 6 runs as 4 files:');
    const pairs = fs.readFileSync(path.join(dir, 'out', 'sweep-pairs.csv'), 'utf8');
    expect(pairs.split('\n')[1]).toMatch(/^lr=0\.0003,lr=0\.001,best_val_accuracy,bootstrap,3,3,/);
  });

  it('refuses a group report of one run, with exit code 2', () => {
    const r = timbre(home, ['report', String(seeded.fast[0]), '--group-by', 'lr', '--format', 'md']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Give two or more run ids, or --sweep ID, to report on groups/);
  });
});
