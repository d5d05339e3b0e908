import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueState } from '../../src-main/shared/contract';
import type { SweepSummary } from '../../src-main/shared/sweeps';
import type { RunSummary } from '../../src-main/shared/training';
import { timbre, type CliResult } from '../helpers/cli';
import { tinyDataset } from '../helpers/tiny';
import { tempDir } from '../helpers/tmp';

const BIN = path.resolve(import.meta.dirname, '../../bin/timbre.mjs');

let dir: string;
let cleanup: () => void;
let home: string;
let sweep: SweepSummary;
const children: ReturnType<typeof spawn>[] = [];

// Three small runs (one note per batch, so an epoch lasts long enough to stop a run in the middle).
const SMALL = [
  ...['--features', 'logmel', '--seconds', '0.5', '--n-mels', '16', '--max-per-family', '3'],
  ...['--hidden', '8', '--layers', '1', '--batch', '1', '--epochs', '5'],
];

beforeAll(async () => {
  ({ dir, cleanup } = tempDir());
  home = path.join(dir, 'home');
  const imp = timbre(home, ['dataset', 'import', await tinyDataset(), '--name', 'tiny']);
  expect(imp.code, imp.stderr).toBe(0);
  const created = timbre(home, [
    ...['sweep', 'create', ...SMALL, '--grid', 'lr=0.001,0.002,0.003'],
    ...['--dataset', 'tiny', '--name', 'queue', '--json'],
  ]);
  expect(created.code, created.stderr).toBe(0);
  sweep = created.json() as SweepSummary;
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  cleanup();
});

/** `timbre ...` in the background: its stdout so far, a wait for a line, and its exit code. */
function start(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, TIMBRE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    pid: child.pid!,
    kill: (signal: NodeJS.Signals) => child.kill(signal),
    out: () => out,
    exited,
    /** Resolves once the output has a line matching `re`; rejects with the output after `ms`. */
    async waitFor(re: RegExp, ms = 120_000): Promise<void> {
      for (const until = Date.now() + ms; !re.test(out);) {
        if (child.exitCode !== null || Date.now() > until)
          throw new Error(`No line matching ${re} (exit code ${child.exitCode}):\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

// One line on stderr with the exit code, nothing on stdout: how every refusal reads.
function refused(r: CliResult, code: number, message: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr.trim()).toMatch(message);
}

let waiting: number[] = [];
let cancelled = 0;

describe('timbre queue', () => {
  it('lists the waiting runs in order; moves one, cancels one, sets runs at once, pauses', () => {
    const first = timbre(home, ['queue', 'list', '--json']).json() as QueueState;
    expect(first).toMatchObject({ training: [], paused: false, runsAtOnce: 1, runner: { kind: 'nobody' } });
    expect(first.queued).toHaveLength(3);
    const [a, b, c] = first.queued as [number, number, number];

    const top = timbre(home, ['queue', 'move', String(c), '--top', '--json']);
    expect(top.code, top.stderr).toBe(0);
    expect((top.json() as QueueState).queued).toEqual([c, a, b]);
    const second = timbre(home, ['queue', 'move', String(c), '--to', '2']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(`Run ${c} is 2nd of 3 waiting.\n`);

    const cancel = timbre(home, ['queue', 'cancel', String(b)]);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toMatch(new RegExp(`^Run ${b} "queue · lr=0\\.00\\d seed=0" is cancelled\\.\\n$`));
    const atOnce = timbre(home, ['queue', 'runs-at-once', '2', '--json']);
    expect(atOnce.code, atOnce.stderr).toBe(0);
    expect(atOnce.json()).toMatchObject({ runsAtOnce: 2, queued: [a, c] });
    const pause = timbre(home, ['queue', 'pause']);
    expect(pause.stdout).toBe('The queue is paused: no run starts until `timbre queue resume`.\n');

    const list = timbre(home, ['queue', 'list']);
    expect(list.code, list.stderr).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'run by       nobody',
      'paused       yes: no run starts until `timbre queue resume`',
      'at once      2 runs',
      'runs         0 preparing or training, 2 waiting',
    ]);
    expect(lines).toContain(
      'Nobody runs the queue now: `timbre queue run`, `timbre serve` or the app trains it.',
    );
    const table = lines.slice(lines.findIndex((l) => l.startsWith('place')));
    expect(table[0]).toMatch(/^place\s+id\s+name\s+status\s+epochs\s+best val acc\s+sweep$/);
    expect(table.slice(1).map((l) => l.trim().split(/\s+/))).toEqual([
      [
        '1',
        String(a),
        'queue',
        '·',
        expect.stringMatching(/^lr=/),
        'seed=0',
        'queued',
        '0/5',
        '–',
        String(sweep.id),
      ],
      [
        '2',
        String(c),
        'queue',
        '·',
        expect.stringMatching(/^lr=/),
        'seed=0',
        'queued',
        '0/5',
        '–',
        String(sweep.id),
      ],
    ]);
    waiting = [a, c];
    cancelled = b;
  });

  it('refuses a bad place, runs at once 0 or not a number, and moving a run that does not wait', () => {
    const [a] = waiting;
    refused(
      timbre(home, ['queue', 'move', String(a), '--to', '-1']),
      2,
      /^timbre: --to must be a place in the queue, a whole number from 1 \(got "-1"\)\.$/,
    );
    refused(
      timbre(home, ['queue', 'runs-at-once', '0']),
      2,
      /^timbre: Runs at once must be a whole number from 1 to 64 \(got "0"\)\.$/,
    );
    refused(
      timbre(home, ['queue', 'runs-at-once', 'two']),
      2,
      /^timbre: Runs at once must be a whole number from 1 to 64 \(got "two"\)\.$/,
    );
    refused(
      timbre(home, ['queue', 'move', String(cancelled), '--top']),
      1,
      new RegExp(
        `^timbre: Run ${cancelled} is cancelled, not waiting in the queue; only a waiting run can be moved\\.$`,
      ),
    );
  });

  it('queue run trains the queue; stopped by SIGTERM it hands its runs back, and a waiting runner takes over', async () => {
    // A runs the (paused) queue.
    const a = start(['queue', 'run']);
    await a.waitFor(/Running the queue: 0 starting, 2 waiting; up to 2 runs at once\./);
    await a.waitFor(/The queue is paused: no run starts until `timbre queue resume`\./);
    const held = timbre(home, ['queue', 'list', '--json']).json() as QueueState;
    expect(held.runner).toMatchObject({ kind: 'elsewhere', pid: a.pid });

    // C waits for A, which trains once the queue is resumed.
    const c = start(['queue', 'run', '--until-empty']);
    await c.waitFor(
      new RegExp(`The queue is run by process ${a.pid} on .*: waiting to take over when it stops\\.`),
    );
    expect(timbre(home, ['queue', 'resume']).code).toBe(0);

    // A stops (SIGTERM) while a run has epochs left: that run waits again, after its committed epochs.
    const db = new Database(path.join(home, 'timbre.db'), { readonly: true, fileMustExist: true });
    let stopped: number | undefined;
    try {
      const poll = db.prepare<[], number>(
        "SELECT id FROM runs WHERE status = 'running' AND epochs_done BETWEEN 1 AND 2 ORDER BY id",
      );
      for (let i = 0; i < 2400 && stopped === undefined; i++) {
        stopped = poll.pluck().get();
        if (stopped === undefined) await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      db.close();
    }
    expect(stopped, a.out()).toBeDefined();
    a.kill('SIGTERM');
    expect(await a.exited, a.out()).toBe(0);
    expect(a.out()).toMatch(/run \d+ "queue · lr=0\.00\d seed=0" starts \(5 epochs, sweep \d+\)\./);
    expect(a.out()).toMatch(new RegExp(`Stopping \\(SIGTERM\\): .*\\brun ${stopped}\\b.* again`));

    // C takes over, continues that run from its last committed epoch, trains the rest and ends.
    expect(await c.exited, c.out()).toBe(0);
    const out = c.out();
    expect(out).toMatch(/Took over the queue/);
    expect(out).toMatch(new RegExp(`run ${stopped} ".*" starts \\(5 epochs, from epoch [234], sweep`));
    expect(out).toMatch(new RegExp(`run ${stopped}: Resuming after epoch [123]\\.`));
    expect(out).toMatch(new RegExp(`run ${stopped}: epoch 5/5 `));
    expect(out).toMatch(new RegExp(`run ${stopped} finished; test accuracy \\d+\\.\\d %\\.`));
    expect(out.trim().split('\n').pop()).toMatch(
      /^\d\d:\d\d:\d\d The queue is empty: nothing waits, prepares or trains\.$/,
    );

    const runs = timbre(home, ['runs', 'list', '--sweep', String(sweep.id), '--json']).json() as RunSummary[];
    const status = Object.fromEntries(runs.map((r) => [r.id, [r.status, r.epochsDone]]));
    expect(status).toEqual({
      [waiting[0]!]: ['finished', 5],
      [waiting[1]!]: ['finished', 5],
      [cancelled]: ['cancelled', 0],
    });
    // Every epoch of the run stopped halfway is recorded once: none lost, none trained twice.
    const check = new Database(path.join(home, 'timbre.db'), { readonly: true });
    try {
      const epochs = check.prepare<[number], number>(
        'SELECT epoch FROM epochs WHERE run_id = ? ORDER BY epoch',
      );
      expect(epochs.pluck().all(stopped!)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      check.close();
    }
  }, 600_000);
});
