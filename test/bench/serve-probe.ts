// Probes of a `timbre serve` child for the bench: its URL and token, API calls as the renderer's
// client makes them, their latency while other work runs, and the process's peak RSS (Linux).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { median, round } from './report';

/** The runs table's and the data-set page's calls. */
export const METHODS = ['listRuns', 'listDatasets', 'getDataset'] as const;
export type Method = (typeof METHODS)[number];

/** Latencies of one call while one step ran. */
export interface Latency {
  calls: number;
  median_ms: number | null;
  max_ms: number | null;
}

/** A running `timbre serve` and where to reach it. */
export interface Served {
  proc: ChildProcess;
  base: string;
  token: string;
}

/** A process's peak RSS so far (VmHWM, Linux), null where /proc is not there. */
export function livePeakRssMb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Starts a new peak RSS for a live process (Linux: clear_refs 5); false where it cannot. */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** One API call to `timbre serve`, as the renderer's client makes it. */
export async function callApi<T>(server: Served, method: string, args: unknown[]): Promise<T> {
  const res = await fetch(`${server.base}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
    body: JSON.stringify({ args }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method}: HTTP ${res.status} ${text.slice(0, 300)}`);
  // The answer is { ok: true, value } (errors come with a status that is not 2xx).
  return (JSON.parse(text) as { value: T }).value;
}

/** `timbre serve` on `home`; resolves once it printed its URL. */
export function startServe(home: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [path.join(import.meta.dirname, '../../bin/timbre.mjs'), 'serve', '--port', '0', '--no-build'],
      { env: { ...process.env, TIMBRE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/[^\s/]+)\/\?token=([\w-]+)/.exec(out);
      if (m) resolve({ proc, base: m[1]!, token: m[2]! });
    });
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`timbre serve exited ${code}: ${err.trim()}`)));
  });
}

/**
 * Asks the API, one call after another with a short pause, what the runs table and the data-set
 * page ask (the data set's details while `dataset()` names one), keeping each latency under the
 * step running; stop() ends it.
 */
export function pollApi<Step extends string>(
  server: Served,
  steps: readonly Step[],
  step: () => Step,
  dataset: () => string | null,
) {
  const times = Object.fromEntries(
    steps.map((s) => [s, Object.fromEntries(METHODS.map((m) => [m, [] as number[]]))]),
  ) as Record<Step, Record<Method, number[]>>;
  let failures = 0;
  let stopped = false;
  const call = async (method: Method, args: unknown[]) => {
    const t0 = performance.now();
    try {
      await callApi(server, method, args);
      times[step()][method].push(performance.now() - t0);
    } catch {
      failures++;
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await call('listRuns', []);
      await call('listDatasets', []);
      const name = dataset();
      if (name !== null) await call('getDataset', [name]);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      const summary = (xs: number[]): Latency => ({
        calls: xs.length,
        median_ms: xs.length ? round(median(xs), 1) : null,
        max_ms: xs.length ? round(Math.max(...xs), 1) : null,
      });
      const api = Object.fromEntries(
        steps.map((s) => [s, Object.fromEntries(METHODS.map((m) => [m, summary(times[s][m])]))]),
      ) as Record<Step, Record<Method, Latency>>;
      return { api, failures };
    },
  };
}
