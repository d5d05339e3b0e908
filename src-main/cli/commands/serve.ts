import { redactUrl } from '../../core/cluster/protocol';
import { Workbench } from '../../core/workbench';
import { buildRenderer, RENDERER_OUT, rendererStale } from '../../server/renderer-build';
import { startServer } from '../../server/server';
import { intFlag, parseFlags, UsageError } from '../args';
import type { CliContext } from '../context';
import { watchProgress } from '../progress';

export const SERVE_USAGE = `Usage:
  timbre serve [--port N] [--host ADDR] [--no-build] [--redis URL]
      Serve the workbench to a browser: the UI and its API over HTTP, live events over a WebSocket.
      Binds 127.0.0.1 (this machine only) unless --host says otherwise, and prints a URL carrying a
      random token: a request without it is refused. Default port 8765 (the next free one if taken;
      0 = any). Renders the default data set on first start.
      Scripts may call the API too: POST /api/<method> with a JSON body {"args": [...]},
      Content-Type: application/json and Authorization: Bearer <token>. Requests from pages of
      other origins (another port of 127.0.0.1 included) are refused.
      --redis URL (or TIMBRE_REDIS_URL): cluster mode. The queue's runs go to \`timbre worker\`
      processes on any machine through BullMQ on that Redis; this process stays the only writer of
      the database. TIMBRE_HUB_TOKEN sets the token (24 or more letters, digits, - or _), so that
      it stays the same across restarts and workers keep theirs. See docs/cluster.md.`;

/** `timbre serve ...`: runs until Ctrl-C. */
export async function serveCommand(_ctx: CliContext, argv: string[]): Promise<number | void> {
  const { values, positionals } = parseFlags(
    argv,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      'no-build': { type: 'boolean' },
      redis: { type: 'string' },
    },
    SERVE_USAGE,
  );
  if (values.help) return console.log(SERVE_USAGE);
  if (positionals.length) throw new UsageError(`Unexpected argument "${positionals[0]}".\n${SERVE_USAGE}`);
  const wanted = intFlag(values.port, 'port', 0, 65535, 8765)!;
  const host = values.host ?? '127.0.0.1';
  if (!values['no-build'] && rendererStale()) {
    process.stderr.write('Building the UI (once; it is rebuilt when its sources change)...\n');
    await buildRenderer();
  }
  const token = process.env.TIMBRE_HUB_TOKEN || undefined;
  if (token !== undefined && !/^[\w-]{24,200}$/.test(token))
    throw new UsageError(
      'TIMBRE_HUB_TOKEN must be 24 to 200 letters, digits, - or _ (`openssl rand -hex 24` makes one).',
    );
  const redis = values.redis ?? (process.env.TIMBRE_REDIS_URL || undefined);
  const wb = new Workbench({ shell: 'browser', redis });
  const cluster = wb.clusterHub();
  try {
    await cluster?.connected();
  } catch (err) {
    await wb.close();
    throw err;
  }
  let server;
  for (let port = wanted; ; port++) {
    try {
      server = await startServer({ workbench: wb, staticDir: RENDERER_OUT, host, port, cluster, token });
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' || wanted === 0 || port >= wanted + 20) {
        await wb.close();
        throw new Error(`Cannot listen on ${host}:${port}: ${(err as Error).message}`);
      }
    }
  }
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    process.stderr.write(
      `Warning: listening on ${host}, reachable from other machines (the token still applies).\n`,
    );
  }
  process.stdout.write(
    `Timbre Workbench is running. Open this URL in a browser:\n\n    ${server.url}\n\nCtrl-C stops it.\n`,
  );
  if (cluster)
    process.stderr.write(`Cluster mode: runs go to workers through Redis (${redactUrl(redis!)}).\n`);
  const stop = watchProgress(wb);
  try {
    const dataset = await wb.ensureDefaultDataset();
    stop();
    process.stderr.write(`The default data set is ready (${dataset.root}).\n`);
  } catch (err) {
    stop();
    process.stderr.write(`The default data set could not be prepared: ${(err as Error).message}\n`);
  }
  await new Promise<void>((resolve) => {
    const quit = () => resolve();
    process.once('SIGINT', quit);
    process.once('SIGTERM', quit);
  });
  process.stderr.write('Stopping...\n');
  await server.close();
  await wb.close();
}
