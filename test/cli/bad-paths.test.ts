import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDir, PathError } from '../../src-main/core/fs-safe';
import { timbre } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

let dir: string;
let cleanup: () => void;

beforeAll(() => ({ dir, cleanup } = tempDir()));
afterAll(() => cleanup());

describe('arguments are checked before any work', () => {
  it('refuses an unknown run before rendering the default data set', () => {
    const home = path.join(dir, 'fresh');
    const r = timbre(home, ['test', '--model', '99999'], { TIMBRE_DEFAULT_PRESET: 'default' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/run 99999/i);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // Nothing was rendered: the default set (thousands of notes) would take minutes.
    expect(fs.existsSync(path.join(home, 'datasets', 'default'))).toBe(false);
  });

  it('refuses a model folder that holds no model before rendering', () => {
    const home = path.join(dir, 'fresh2');
    const r = timbre(home, ['test', '--model', path.join(dir, 'no-such-model')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no model\.json/);
    expect(fs.existsSync(path.join(home, 'datasets', 'default'))).toBe(false);
  });

  it('refuses folders under /proc and /sys at once instead of hanging', () => {
    const home = path.join(dir, 'home');
    const cases: [string[], Record<string, string>, RegExp][] = [
      [
        ['runs', 'list'],
        { TIMBRE_HOME: '/proc/nope/home' },
        /TIMBRE_HOME \/proc\/nope\/home is inside \/proc/,
      ],
      [
        ['dataset', 'render', '--out', '/proc/x', '--preset', 'tiny'],
        {},
        /output folder \/proc\/x is inside \/proc/,
      ],
      [['dataset', 'render', '--out', '/sys/x/y', '--preset', 'tiny'], {}, /inside \/sys/],
    ];
    for (const [args, env, message] of cases) {
      const r = timbre(home, args, env);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('says which part of a folder path is in the way', () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    expect(() => ensureDir(path.join(file, 'sub', 'deeper'), 'TIMBRE_HOME')).toThrow(PathError);
    expect(() => ensureDir(path.join(file, 'sub'), 'TIMBRE_HOME')).toThrow(/a-file is a file, not a folder/);
    const r = timbre(path.join(file, 'home'), ['runs', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/a-file is a file, not a folder/);
    // Creating a missing chain of folders works.
    const deep = path.join(dir, 'x', 'y', 'z');
    expect(ensureDir(deep, 'the output folder')).toBe(deep);
    expect(fs.statSync(deep).isDirectory()).toBe(true);
  });
});
