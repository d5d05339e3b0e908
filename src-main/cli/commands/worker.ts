// `timbre worker`: trains the runs a hub (`timbre serve --redis URL`) puts on its Redis queue.
import path from 'node:path';
import { timbreHome } from '../../core/paths';
import { BACKENDS } from '../../shared/training';
import { choiceFlag, intFlag, parseFlags, UsageError } from '../args';
import type { CliContext } from '../context';

export const WORKER_USAGE = `Usage:
  timbre worker --hub URL [--token TOKEN] --redis URL [--runs-at-once N] [--backend node|wasm|cpu]
                [--dir DIR] [--copy-features]
      Cluster mode's worker (docs/cluster.md): takes runs off the queue that the hub (\`timbre serve
      --redis URL\`) keeps in Redis, fetches each run's settings and features from the hub, trains it
      here and reports every epoch back; the hub records everything. It holds no database.
      --hub URL       the hub's address; the URL \`timbre serve\` printed carries its token
      --token TOKEN   the hub's token (or TIMBRE_HUB_TOKEN), when the URL does not carry it
      --redis URL     the hub's Redis, redis://host:port (or TIMBRE_REDIS_URL)
      --runs-at-once  runs trained here at once, 1 to 64 (default 1)
      --backend       the training backend here (default: the run's, else the best available)
      --dir DIR       fetched features and runs in training (default TIMBRE_HOME/worker)
      --copy-features fetch each run's features from the hub even when the hub's folder of them
                      is readable here (by default it is read in place: a shared file system)
      Ctrl-C or SIGTERM stops it: it tells the hub, which gives the runs it was training to another
      worker at once, from their last committed epoch. While the hub cannot be reached (it
      restarts), runs go on training here and their reports wait (up to TIMBRE_WORKER_BUFFER_MB,
      default 512) for the hub to hand the runs back.`;

// "14:02:11 ": when a line was printed (a worker may run for days).
const say = (line: string): void => {
  process.stdout.write(`${new Date().toTimeString().slice(0, 8)} ${line}\n`);
};

/** `timbre worker ...`: runs until SIGINT/SIGTERM. */
export async function workerCommand(_ctx: CliContext, argv: string[]): Promise<number | void> {
  const { values, positionals } = parseFlags(
    argv,
    {
      hub: { type: 'string' },
      token: { type: 'string' },
      redis: { type: 'string' },
      'runs-at-once': { type: 'string' },
      backend: { type: 'string' },
      dir: { type: 'string' },
      'copy-features': { type: 'boolean' },
    },
    WORKER_USAGE,
  );
  if (values.help) return console.log(WORKER_USAGE);
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".\n${WORKER_USAGE}`);
  if (!values.hub)
    throw new UsageError(`--hub URL is needed: the address of \`timbre serve\`.\n${WORKER_USAGE}`);
  const redis = values.redis ?? (process.env.TIMBRE_REDIS_URL || undefined);
  if (!redis) throw new UsageError(`--redis URL (or TIMBRE_REDIS_URL) is needed.\n${WORKER_USAGE}`);
  const runsAtOnce = intFlag(values['runs-at-once'], 'runs-at-once', 1, 64, 1)!;
  const backend = choiceFlag(values.backend, 'backend', BACKENDS);
  const lockMs = intFlag(
    process.env.TIMBRE_WORKER_LOCK_MS || undefined,
    'TIMBRE_WORKER_LOCK_MS',
    1000,
    3_600_000,
  );
  const heartbeatMs = intFlag(
    process.env.TIMBRE_WORKER_HEARTBEAT_MS || undefined,
    'TIMBRE_WORKER_HEARTBEAT_MS',
    100,
    600_000,
  );
  // Loaded only for this command.
  const { startClusterWorker } = await import('../../core/cluster/worker');
  const worker = await startClusterWorker({
    hub: values.hub,
    token: values.token ?? (process.env.TIMBRE_HUB_TOKEN || undefined),
    redis,
    runsAtOnce,
    backend,
    dir: path.resolve(values.dir ?? path.join(timbreHome(), 'worker')),
    lockMs,
    heartbeatMs,
    log: say,
    copyFeatures: values['copy-features'] === true,
  });
  const broken = await Promise.race([
    worker.broken,
    new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    }),
  ]);
  say('Stopping: the runs training here go back to the queue.');
  await worker.close();
  if (broken) throw new Error(broken);
}
