import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp';

const BIN = path.resolve(import.meta.dirname, '../../bin/timbre.mjs');

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir()));
afterAll(() => cleanup());

function run(home: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, TIMBRE_HOME: home, TIMBRE_DEFAULT_PRESET: 'tiny' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('first start by several processes at once', () => {
  it('renders the default data set once while the others wait, and all use it', async () => {
    const home = path.join(dir, 'home');
    const results = await Promise.all([1, 2, 3].map(() => run(home, ['dataset', 'default', '--json'])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const ids = results.map((r) => (JSON.parse(r.stdout.trim().split('\n').pop()!) as { id: number }).id);
    expect(new Set(ids).size).toBe(1);
    const datasets = path.join(home, 'datasets');
    // One folder, complete, and no lock or temporary render left behind.
    expect(fs.readdirSync(datasets)).toEqual(['default']);
    for (const split of ['train', 'valid', 'test'])
      expect(fs.existsSync(path.join(datasets, 'default', `nsynth-${split}`, 'examples.json'))).toBe(true);
    const rendered = results.filter((r) => /Rendering the default data set/.test(r.stderr + r.stdout));
    expect(rendered).toHaveLength(1);
  }, 180_000);
});
