// `npm run soak [-- flags]`: kills `timbre train` with SIGKILL at random moments, again and again,
// and checks after each kill what a user's next start must find: no committed epoch lost, the best
// model loadable, no duplicate evaluations, an intact database, no leftovers once restarted; then
// three processes resume the last run at once, one of them finishes it. Not part of `npm test`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Workbench } from '../../src-main/core/workbench';
import { parseModelFolder } from '../../src-main/core/training/model-dirs';
import { tinyDataset } from '../helpers/tiny';
import { checkAfterKill, checkFinished, checkFolders, type Committed, type Problem } from './checks';

const USAGE = `npm run soak -- [flags]
  --kills N    how many kills (default 20)
  --epochs N   epochs of each run (default 10); a run that finishes is followed by a new one
  --seed N     seed of the random kill moments (default: from the clock; printed)
  --keep       keep the TIMBRE_HOME folder for a look afterwards`;

const argv = process.argv.slice(2);
function option(name: string, fallback: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} needs a whole number of at least 1`);
  return n;
}
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const KILLS = option('--kills', 20);
const EPOCHS = option('--epochs', 10);
const SEED = option('--seed', Date.now() % 1_000_000);

const BIN = path.resolve(import.meta.dirname, '../../bin/timbre.mjs');
const TRAIN = [
  'train',
  '--preset',
  'seed-lstm',
  '--features',
  'logmel',
  '--seconds',
  '0.5',
  '--n-mels',
  '16',
];
TRAIN.push('--max-per-family', '3', '--batch', '4', '--hidden', '8', '--layers', '1', '--backend', 'cpu');
TRAIN.push('--dataset', 'tiny', '--epochs', String(EPOCHS));

/** mulberry32: the kill moments are reproducible from the printed seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'timbre-soak-'));
const env = { ...process.env, TIMBRE_HOME: home, TIMBRE_DEFAULT_PRESET: 'tiny' };
const started = performance.now();
const elapsed = () => `${Math.round((performance.now() - started) / 1000)} s`;
const problems: Problem[] = [];
const note = (where: string, found: Problem[]) => problems.push(...found.map((p) => `${where}: ${p}`));

let epochMs = 500; // how long an epoch takes here, learnt from the progress lines

/**
 * Starts `timbre` with these arguments: `exit` resolves with its exit code (null if killed) and
 * stderr, `training` once it reports its first batch, `lastEpoch` once its last epoch is committed.
 */
function start(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let began: () => void = () => {};
  let hasBegun = false;
  const training = new Promise<void>((r) => (began = r)).then(() => void (hasBegun = true));
  let lastEpoch = 0;
  let committedLast: () => void = () => {};
  const lastCommitted = new Promise<void>((r) => (committedLast = r));
  const last = new RegExp(`epoch ${EPOCHS}/${EPOCHS}[^\n]*val loss`);
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (/epoch \d+\/\d+/.test(stderr)) began();
    if (last.test(stderr)) committedLast();
    // An epoch's summary line has its validation loss: the time between two is an epoch's.
    const epochs = stderr.match(/val loss/g)?.length ?? 0;
    if (epochs > lastEpoch) {
      const now = performance.now();
      if (lastEpoch > 0) epochMs = 0.7 * epochMs + 0.3 * (now - lastAt);
      [lastEpoch, lastAt] = [epochs, now];
    }
  });
  let lastAt = 0;
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stderr })),
  );
  return { child, exit, training, lastEpoch: lastCommitted, begun: () => hasBegun };
}

function runState(runId: number | null) {
  const db = new Database(path.join(home, 'timbre.db'), { fileMustExist: true });
  try {
    const latest = db.prepare<[], { id: number }>('SELECT max(id) AS id FROM runs').get()?.id ?? null;
    const id = runId ?? latest;
    const row =
      id === null
        ? undefined
        : db
            .prepare<[number], { status: string; epochs_done: number }>(
              'SELECT status, epochs_done FROM runs WHERE id = ?',
            )
            .get(id);
    const evals =
      id === null
        ? 0
        : db
            .prepare<[number], { n: number }>(
              "SELECT count(*) AS n FROM evaluations WHERE run_id = ? AND weights <> 'external'",
            )
            .get(id)!.n;
    return { id, latest, status: row?.status ?? null, epochs: row?.epochs_done ?? 0, evals };
  } finally {
    db.close();
  }
}

/** Temporaries in the models folder right now. */
function temporaries(): number {
  const root = path.join(home, 'models');
  if (!fs.existsSync(root)) return 0;
  return fs
    .readdirSync(root)
    .flatMap((r) => fs.readdirSync(path.join(root, r)))
    .filter((n) => parseModelFolder(n)?.type === 'tmp').length;
}

/** What a user's next start does: runs of dead processes interrupted, leftovers cleared. */
async function restart(): Promise<void> {
  const wb = new Workbench({ home });
  await wb.close();
}

console.log(`Soak: ${KILLS} kills of timbre train (${EPOCHS} epochs a run), seed ${SEED}, home ${home}`);
const imported = spawnSync(
  process.execPath,
  [BIN, 'dataset', 'import', await tinyDataset(), '--name', 'tiny'],
  {
    env,
    encoding: 'utf8',
  },
);
if (imported.status !== 0) throw new Error(`dataset import failed: ${imported.stderr}`);

const rand = random(SEED);
const committed: Committed = new Map();
const finished: number[] = [];
let current: number | null = null;
let kills = 0;
let ended = 0;
let leftByKills = 0;
let leftAfterRestart = 0;
let leaked = 0;
const phases = new Map<string, number>(); // where the kills landed
let known = 0; // the highest run id seen: a new run is one above it
while (kills < KILLS) {
  const before = runState(current);
  const resume = current !== null;
  const args = resume ? ['train', '--resume', String(current)] : TRAIN;
  // One kill in four during the start (tsx, tfjs, the database, claiming the run); the others once
  // it trains, at a random moment of what is left, where the saves and commits are.
  const t0 = performance.now();
  const { child, exit, training, lastEpoch, begun } = start(args);
  const aim = rand();
  const duringStart = aim < 0.25;
  const left = current === null ? EPOCHS : EPOCHS - before.epochs;
  // One in four at the end: once the last epoch is committed, during the final evaluations (where a
  // kill used to store them twice) or the end of the run; the rest anywhere in the training left.
  const atEnd = aim >= 0.25 && aim < 0.5;
  const pick = duringStart ? rand() * 4000 : atEnd ? rand() * 250 : rand() * (left * epochMs + 2500);
  if (atEnd) await Promise.race([lastEpoch, exit]);
  else if (!duringStart) await Promise.race([training, exit]);
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), pick));
  const first = await Promise.race([exit, timer]);
  const delay = performance.now() - t0;
  let what: string;
  let killedIn: string | undefined;
  if (first === 'timeout') {
    child.kill('SIGKILL');
    await exit;
    kills++;
    what = `kill ${String(kills).padStart(2)} after ${(delay / 1000).toFixed(1)} s`;
    killedIn = begun() ? 'training' : 'start-up';
  } else {
    ended++;
    what = `ended by itself (exit ${first.code})`;
    if (first.code !== 0)
      note(what, [`timbre ${args.join(' ')} failed: ${first.stderr.trim().split('\n').pop()}`]);
  }
  const after = runState(current);
  const runId: number | null =
    current ?? (after.latest !== null && after.latest > known ? after.latest : null);
  if (runId !== null) known = Math.max(known, runId);
  note(what, checkAfterKill(home, committed));
  leftByKills += temporaries();
  await restart();
  const folders = checkFolders(home);
  note(`${what}, restarted`, folders.problems);
  leftAfterRestart += folders.temporaries;
  leaked = folders.leaked;
  const now = runState(runId);
  if (killedIn === 'training' && now.status === 'finished') killedIn = 'after the run ended';
  else if (killedIn === 'training' && now.evals > 0) killedIn = 'final evaluations';
  if (killedIn) phases.set(killedIn, (phases.get(killedIn) ?? 0) + 1);
  const progress =
    runId === null
      ? 'no run created yet'
      : `epochs ${before.id === runId ? before.epochs : 0}→${now.epochs}, final evaluations ${now.evals}, ${now.status}`;
  console.log(
    `${elapsed().padStart(5)}  ${what.padEnd(24)}  ${resume ? 'resume' : 'new   '} run ${String(runId ?? '-').padEnd(3)}` +
      `  ${(killedIn ?? '').padEnd(19)}  ${progress}`,
  );
  if (runId !== null && now.status === 'finished') {
    note(`run ${runId}`, checkFinished(home, runId, EPOCHS));
    finished.push(runId);
    current = null;
  } else current = runId;
}

// The last run, resumed by three processes at once: one trains it to the end, two are refused.
let race = 'no run left to resume';
if (current !== null) {
  const three = [0, 1, 2].map(() => start(['train', '--resume', String(current)]));
  const results = await Promise.all(three.map((t) => t.exit));
  const won = results.filter((r) => r.code === 0).length;
  const refused = results.filter(
    (r) => r.code === 1 && /only an interrupted, cancelled or stopped run can be resumed/.test(r.stderr),
  ).length;
  race = `${won} of 3 trained, ${refused} refused`;
  if (won !== 1 || refused !== 2) note('three resumes at once', [race]);
  note(`run ${current}`, checkFinished(home, current, EPOCHS));
  finished.push(current);
}
note('at the end', checkAfterKill(home, committed));
await restart();
const end = checkFolders(home);
note('at the end, restarted', end.problems);
leftAfterRestart += end.temporaries;
leaked = end.leaked;

const count = (re: RegExp) => problems.filter((p) => re.test(p)).length;
const epochs = [...committed.values()].reduce((n, m) => n + m.size, 0);
console.log(`
Summary (${elapsed()}, seed ${SEED})
  kills (SIGKILL at random moments)        ${kills}: ${[...phases].map(([p, n]) => `${p} ${n}`).join(', ')}
  processes that ended by themselves       ${ended}
  runs finished                            ${finished.length} (${finished.join(', ')})
  committed epochs watched                 ${epochs}
  checked after every kill and at the end:
    PRAGMA integrity_check not ok           ${count(/integrity_check/)}
    committed epochs lost or changed        ${count(/committed epoch|epochs .* but/)}
    models not loadable or of another epoch ${count(/model|holds epoch|checkpoint/)}
    duplicate evaluations                   ${count(/evaluations of/)}
    leftover folders after a restart        ${count(/left over/)}
  temporaries left by kills                ${leftByKills}; after restart: ${leftAfterRestart}
  checkpoints left by a kill as a run finished (known leak, disk only): ${leaked}
  three resumes of one run at once         ${race}
  problems                                 ${problems.length}`);
for (const p of problems) console.log(`  - ${p}`);
console.log(problems.length ? 'SOAK FAILED' : 'SOAK PASSED');
if (!argv.includes('--keep') && !problems.length) fs.rmSync(home, { recursive: true, force: true });
process.exitCode = problems.length ? 1 : 0;
