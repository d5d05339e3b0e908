// Runs the PyTorch reference scripts (/usr/bin/python3 with Debian's python3-torch) for side-by-side numbers.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Debian's python: other pythons on the machine do not see python3-torch. */
export const PYTHON = process.env.TIMBRE_BENCH_PYTHON ?? '/usr/bin/python3';

/** The seed LSTM/BLSTM reference (model1.py / model2.py in PyTorch); TIMBRE_LSTM_REFERENCE overrides. */
export const LSTM_REFERENCE =
  process.env.TIMBRE_LSTM_REFERENCE ??
  [
    path.join(import.meta.dirname, 'seed_lstm_reference.py'),
    '/work/shared/reference/seed_lstm_reference.py',
  ].find((f) => fs.existsSync(f)) ??
  '/work/shared/reference/seed_lstm_reference.py';

/** Our CNN's PyTorch twin. */
export const CNN_REFERENCE = path.join(import.meta.dirname, 'cnn_reference.py');

/** The fix printed when PyTorch is missing. */
export const INSTALL_HINT = 'apt-get install python3-torch libopenblas0-pthread';

/** Whether the references can run here: the torch version, or why not. */
export function pytorchStatus(): { version: string } | { note: string } {
  try {
    const out = execFileSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    if (!fs.existsSync(LSTM_REFERENCE)) {
      return { note: `the LSTM reference is missing: set TIMBRE_LSTM_REFERENCE to seed_lstm_reference.py` };
    }
    return { version: out.trim() };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT')
      return { note: `${PYTHON} is not installed: apt-get install python3 python3-torch` };
    if (/No module named .?torch/.test(e.stderr ?? '')) {
      return { note: `python3-torch is not installed: ${INSTALL_HINT}` };
    }
    return { note: `${PYTHON} cannot import torch: ${(e.stderr ?? e.message).trim().split('\n').pop()}` };
  }
}

/** One way of running PyTorch on this machine's threads. */
export interface ThreadSetting {
  /** Key in the JSON. */
  key: 'one_thread' | 'all_threads_openblas1' | 'script_default';
  /** Table heading. */
  label: string;
  /** --threads given to the script (null: its own default, os.cpu_count()). */
  threads: number | null;
  /** OPENBLAS_NUM_THREADS in its environment (null: unset). */
  openblasThreads: number | null;
}

/**
 * (a) one thread, as our wasm backend: --threads 1 and OPENBLAS_NUM_THREADS=1 (without it OpenBLAS
 * still starts a thread per core under --threads 1); (b) every core for PyTorch, OpenBLAS kept to
 * one thread, its best setting here; (c) the script as a user runs it (--threads = cores, OpenBLAS
 * free): on 2 cores both pools oversubscribe them, which is where FINDINGS' 46-55 came from.
 */
export function threadSettings(): ThreadSetting[] {
  const cores = os.availableParallelism();
  return [
    { key: 'one_thread', label: 'PyTorch 1 thread', threads: 1, openblasThreads: 1 },
    {
      key: 'all_threads_openblas1',
      label: `PyTorch ${cores} thr, OPENBLAS=1`,
      threads: cores,
      openblasThreads: 1,
    },
    { key: 'script_default', label: `PyTorch script default`, threads: null, openblasThreads: null },
  ];
}

function envFor(setting: Pick<ThreadSetting, 'openblasThreads'>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'GOTO_NUM_THREADS', 'MKL_NUM_THREADS'])
    delete env[k];
  if (setting.openblasThreads !== null) env.OPENBLAS_NUM_THREADS = String(setting.openblasThreads);
  return env;
}

function threadArgs(setting: Pick<ThreadSetting, 'threads'>): string[] {
  return setting.threads === null ? [] : ['--threads', String(setting.threads)];
}

function lastJson(stdout: string): Record<string, unknown> {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`the reference printed no JSON on its last line: ${line.slice(0, 200)}`);
  }
}

/** Runs a reference script to the end; its last stdout line parsed. Throws with its stderr's tail. */
export function runReference(
  script: string,
  args: string[],
  setting: Pick<ThreadSetting, 'threads' | 'openblasThreads'>,
  timeoutMs = 600_000,
): Record<string, unknown> {
  try {
    const out = execFileSync(PYTHON, [script, ...args, ...threadArgs(setting)], {
      encoding: 'utf8',
      env: envFor(setting),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return lastJson(out);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string; signal?: string };
    if (e.code === 'ETIMEDOUT' || e.signal === 'SIGTERM') {
      throw new Error(`${path.basename(script)} timed out after ${Math.round(timeoutMs / 1000)} s`);
    }
    const tail = (e.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${path.basename(script)} ${args.join(' ')} failed: ${tail || e.message}`);
  }
}

/** runReference without blocking the event loop, so a run of ours can train meanwhile; `signal` kills it. */
export function runReferenceAsync(
  script: string,
  args: string[],
  setting: Pick<ThreadSetting, 'threads' | 'openblasThreads'>,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [script, ...args, ...threadArgs(setting)], {
      env: envFor(setting),
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
    });
    let out = '';
    let errText = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (errText = (errText + d).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        const tail = errText.trim().split('\n').slice(-3).join(' | ');
        reject(new Error(`${path.basename(script)} ${args.join(' ')} exited with ${code}: ${tail}`));
        return;
      }
      try {
        resolve(lastJson(out));
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}
