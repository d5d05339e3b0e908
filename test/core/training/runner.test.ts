import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src-main/core/store/database';
import { RunRepo } from '../../../src-main/core/store/runs';
import { resolveTrainConfig } from '../../../src-main/core/training/config';
import { Runner, type RunEvent } from '../../../src-main/core/training/runner';
import { emptyDataset } from '../../helpers/store';
import { tempDir } from '../../helpers/tmp';

let db: Db | undefined;
let cleanup: (() => void) | undefined;
afterEach(() => {
  if (db?.open) db.close();
  cleanup?.();
});

describe('Runner', () => {
  it('ends a run and tells its waiters why when the database refuses the final write', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const open = openDatabase(path.join(t.dir, 'timbre.db'));
    db = open;
    const ds = { id: emptyDataset(open) };
    const runs = new RunRepo(open);
    const id = runs.create({
      name: 'r',
      config: resolveTrainConfig('seed-fc', { epochs: 1 }),
      preset: 'seed-fc',
      datasetId: ds.id,
      datasetFingerprint: 'fp',
      appVersion: '0.1.0',
    });
    const events: RunEvent[] = [];
    // The features fail, and by then the database can no longer be written (closed here; a
    // damaged file or a full disk in life): the run must still end, without an uncaught throw.
    const runner = new Runner(runs, (e) => events.push(e));
    runner.train({
      runId: id,
      config: resolveTrainConfig('seed-fc', { epochs: 1 }),
      datasetId: ds.id,
      datasetFingerprint: 'fp',
      modelDir: path.join(t.dir, 'models', String(id)),
      features: async () => {
        open.close();
        throw new Error('no features');
      },
    });
    await expect(runner.wait(id)).resolves.toBe('failed');
    const ended = events.find((e) => e.type === 'ended');
    expect(ended).toMatchObject({ runId: id, type: 'ended', status: 'failed' });
    expect((ended as { error: string }).error).toMatch(/no features.*could not be recorded/);
    expect(runner.activeIds()).toEqual([]);
  });
});
