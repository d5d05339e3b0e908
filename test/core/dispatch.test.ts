import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src-main/core/workbench';
import { apiDispatch } from '../../src-main/core/dispatch';
import { API_METHODS, type ApiMethod, type WorkbenchApi } from '../../src-main/shared/contract';

// A workbench whose every method answers its own name, except the ones that fail.
const calls: { method: string; args: unknown[] }[] = [];
const workbench = {
  ...Object.fromEntries(
    API_METHODS.map((m) => [
      m,
      async (...args: unknown[]) => {
        calls.push({ method: m, args });
        return m;
      },
    ]),
  ),
  getRun: async (id: number) => {
    throw new NotFoundError(`No run ${id}. \`timbre runs list\` shows them.`);
  },
  listRuns: async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'id')");
  },
  listDatasets: () => {
    throw new RangeError('thrown before any promise');
  },
  queueState: async () => undefined,
  // WorkbenchLocalApi's, not API methods: never reachable by name.
  renderDataset: async () => 'rendered',
  writeReport: async () => 'written',
  waitForRun: async () => 'waited',
  close: async () => 'closed',
} as unknown as WorkbenchApi;

function setup(overrides?: Parameters<typeof apiDispatch>[1]['overrides']) {
  const logged: { method: ApiMethod; err: unknown }[] = [];
  const api = apiDispatch(workbench, { log: (method, err) => logged.push({ method, err }), overrides });
  return { api, logged };
}

describe('the one dispatch of API calls', () => {
  it('reaches API methods only, never a prototype member or another method', async () => {
    const { api, logged } = setup();
    for (const name of [
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'renderDataset',
      'writeReport',
      'waitForRun',
      'close',
      'subscribe',
      '',
      7,
      null,
      undefined,
    ]) {
      expect(api.has(name), String(name)).toBe(false);
      const result = await api.call(name, []);
      expect(result, String(name)).toMatchObject({
        ok: false,
        code: 'not-found',
        error: { name: 'NotFound' },
      });
    }
    expect(await api.call('x'.repeat(500), [])).toMatchObject({
      error: { message: `No API method "${'x'.repeat(60)}".` },
    });
    expect(api.has('appInfo')).toBe(true);
    expect(await api.call('appInfo', [])).toEqual({ ok: true, value: 'appInfo' });
    expect(logged).toEqual([]);
  });

  it('checks the arguments before any call', async () => {
    const { api } = setup();
    calls.length = 0;
    for (const args of [['1; DROP TABLE runs'], 'not an array', [1, 2, 3, 4, 5, 6]]) {
      const result = await api.call('getRuns', args);
      expect(result).toMatchObject({ ok: false, code: 'bad-argument', error: { name: 'ApiArgumentError' } });
      if (!result.ok) expect(result.error.message).toMatch(/^getRuns: invalid arguments/);
    }
    expect(await api.call('importDataset', ['/tmp/x\0y', 'name'])).toMatchObject({
      ok: false,
      error: {
        name: 'ApiArgumentError',
        message: 'importDataset: invalid arguments: a text holds a NUL character',
      },
    });
    expect(calls).toEqual([]);
    expect(await api.call('getRuns', [[1, 2]])).toEqual({ ok: true, value: 'getRuns' });
    expect(calls).toEqual([{ method: 'getRuns', args: [[1, 2]] }]);
  });

  it('checks a sweep spec’s shape: unknown keys, wrong types and long lists refused', async () => {
    const { api } = setup();
    calls.length = 0;
    const spec = { name: 's', base: {}, method: 'grid', grid: { lr: [0.001, 0.0003] } };
    for (const [bad, where] of [
      [{ ...spec, grid: { depth: [1, 2] } }, 'at 0.grid'],
      [{ ...spec, extra: 1 }, ''],
      [{ ...spec, seeds: '2' }, 'at 0.seeds'],
      [{ ...spec, grid: { lr: Array(1001).fill(0.001) } }, 'at 0.grid.lr'],
      [{ ...spec, base: { overrides: { model: { depth: 2 } } } }, 'at 0.base.overrides.model'],
    ] as const) {
      const result = await api.call('planSweep', [bad]);
      expect(result).toMatchObject({ ok: false, code: 'bad-argument', error: { name: 'ApiArgumentError' } });
      if (!result.ok) expect(result.error.message).toContain(`planSweep: invalid arguments ${where}`.trim());
    }
    expect(calls).toEqual([]);
    const random = {
      ...spec,
      method: 'random',
      random: { lr: { kind: 'loguniform', min: 1e-4, max: 1e-2 } },
    };
    expect(await api.call('planSweep', [{ ...random, trials: 3, seeds: 2 }])).toEqual({
      ok: true,
      value: 'planSweep',
    });
  });

  it('bounds the comparisons of groups: selections, groupings and lists of groups', async () => {
    const { api } = setup();
    calls.length = 0;
    const refused: [string, unknown[]][] = [
      ['compareGroups', [{ select: { runs: [] }, groupBy: 'configuration' }]],
      ['compareGroups', [{ select: { sweep: 1, runs: [1] }, groupBy: 'configuration' }]],
      ['compareGroups', [{ select: { sweep: 1 }, groupBy: 'everything' }]],
      ['compareGroups', [{ select: { sweep: 1 }, groupBy: ['lr'], metric: 'speed' }]],
      ['groupCurves', [Array.from({ length: 21 }, () => [1]), 'valAccuracy']],
      ['groupMatrices', [Array.from({ length: 201 }, () => [1])]],
      ['hardNotes', [{ sweep: 1 }, 5000]],
    ];
    for (const [method, args] of refused)
      expect(await api.call(method, args), method).toMatchObject({ ok: false, code: 'bad-argument' });
    expect(calls).toEqual([]);
    expect(await api.call('groupMatrices', [Array.from({ length: 200 }, () => [1, 2])])).toMatchObject({
      ok: true,
    });
  });

  it('answers a user’s error with its name and message, unlogged', async () => {
    const { api, logged } = setup();
    expect(await api.call('getRun', [9999])).toEqual({
      ok: false,
      code: 'not-found',
      error: { name: 'NotFoundError', message: 'No run 9999. `timbre runs list` shows them.' },
    });
    expect(logged).toEqual([]);
  });

  it('answers an internal fault with a generic line and logs it', async () => {
    const { api, logged } = setup();
    for (const method of ['listRuns', 'listDatasets'] as const) {
      const result = await api.call(method, []);
      expect(result).toEqual({
        ok: false,
        code: 'internal',
        error: {
          name: 'InternalError',
          message: 'The workbench failed to answer this request (an internal error).',
        },
      });
    }
    expect(logged.map((l) => [l.method, (l.err as Error).name])).toEqual([
      ['listRuns', 'TypeError'],
      ['listDatasets', 'RangeError'],
    ]);
    const custom = apiDispatch(workbench, { log: () => {}, internalMessage: 'See the terminal.' });
    expect(await custom.call('listRuns', [])).toMatchObject({ error: { message: 'See the terminal.' } });
  });

  it('answers undefined as null, and lets a shell answer a method itself', async () => {
    const { api } = setup({
      exportReport: (args, call) => (args[1] === 'pdf' ? Promise.resolve('printed here') : call(args)),
    });
    expect(await api.call('queueState', [])).toEqual({ ok: true, value: null });
    expect(await api.call('exportReport', [[1], 'pdf'])).toEqual({ ok: true, value: 'printed here' });
    expect(await api.call('exportReport', [[1], 'html'])).toEqual({ ok: true, value: 'exportReport' });
    // The override gets checked arguments only.
    expect(await api.call('exportReport', [[0], 'pdf'])).toMatchObject({ ok: false, code: 'bad-argument' });
  });
});
