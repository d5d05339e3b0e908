import path from 'node:path';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { WorkbenchLocalApi } from '../../src-main/core/local-api';
import { Workbench } from '../../src-main/core/workbench';
import { API_METHODS } from '../../src-main/shared/contract';
import { tempDir } from '../helpers/tmp';

const t = tempDir();
afterAll(() => t.cleanup());

// What in-process shells may call besides the contract (core/local-api.ts).
const LOCAL = [
  'renderDataset',
  'testModel',
  'waitForRun',
  'runModelFolder',
  'writeReport',
  'printableReportHtml',
  'writeGroupReport',
  'printableGroupReportHtml',
  'clusterHub',
  'close',
];

describe('the Workbench', () => {
  it('has no member but the contract and the in-process extras: no database, queue or repository', async () => {
    expectTypeOf<Exclude<keyof Workbench, keyof WorkbenchLocalApi>>().toEqualTypeOf<never>();
    const wb = new Workbench({ home: path.join(t.dir, 'home') });
    try {
      expect(Object.keys(wb)).toEqual([]);
      const members = Object.getOwnPropertyNames(Workbench.prototype).filter((m) => m !== 'constructor');
      expect(members.sort()).toEqual([...API_METHODS, ...LOCAL, 'subscribe'].sort());
      for (const name of ['db', 'runs', 'queue', 'datasets', 'paths', 'predictions']) {
        expect(name in wb, name).toBe(false);
      }
    } finally {
      await wb.close();
    }
  });
});
