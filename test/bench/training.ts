// Training speed of our models (wasm backend, one thread) next to PyTorch at the same shapes (issue 3).
import os from 'node:os';
import { PRESETS } from '../../src-main/core/training/config';
import type { PresetName } from '../../src-main/shared/training';
import {
  CNN_REFERENCE,
  LSTM_REFERENCE,
  pytorchStatus,
  runReference,
  threadSettings,
  type ThreadSetting,
} from './pytorch';
import { profileStep, type StepProfile } from './profile';
import { fmt, median, round, table } from './report';

/** The seed's input: the first second as 100 frames of 160 raw samples, batch 32. */
const SHAPE = { steps: 100, dims: 160 };
const BATCH = 32;

/** One model measured on both sides. */
interface ModelCase {
  key: 'lstm' | 'blstm' | 'cnn';
  preset: PresetName;
  /** Timed steps per measurement of ours, and of PyTorch (after warm-up steps). */
  oursSteps: number;
  torchSteps: number;
  torchWarmup: number;
}

/** PyTorch at one thread setting. */
export interface TorchSpeed {
  threads: number | null;
  openblas_threads: number | null;
  samples_per_s: number | null;
  runs: number[];
  /** ours / this. */
  ratio: number | null;
  error?: string;
  note?: string;
}

/** One model's comparison, as the JSON carries it. */
export interface SpeedComparison {
  /** Ours, samples/s, median of `ours_runs`. */
  ours: number;
  ours_runs: number[];
  /** PyTorch at one thread (our wasm backend's thread count), the headline. */
  pytorch: number | null;
  /** ours / pytorch at the same thread count. */
  ratio: number | null;
  pytorch_threads: Record<ThreadSetting['key'], TorchSpeed> | null;
  model: string;
  note?: string;
}

export interface ThroughputResult {
  backend: string;
  pytorch_version: string | null;
  shape: string;
  rounds: number;
  lstm: SpeedComparison;
  /** Where one seed-lstm training step's time goes on our side. */
  lstm_profile: StepProfile;
  blstm: SpeedComparison;
  cnn: SpeedComparison;
}

function describe(preset: PresetName): string {
  const m = PRESETS[preset].config.model;
  const what =
    m.type === 'cnn'
      ? `${m.layers} conv blocks x ${m.hidden} filters (5 taps, max pool 2), ${m.activation}, readout ${m.readout}`
      : `hidden ${m.hidden}, ${m.layers} layers, readout ${m.readout}`;
  return `${preset}: ${what}`;
}

function referenceArgs(c: ModelCase): { script: string; args: string[] } {
  const m = PRESETS[c.preset].config.model;
  const common = ['--batch', String(BATCH), '--seq-len', String(SHAPE.steps), '--hidden', String(m.hidden)];
  const steps = ['--steps', String(c.torchSteps), '--warmup', String(c.torchWarmup)];
  if (m.type === 'cnn') {
    return {
      script: CNN_REFERENCE,
      args: [
        'throughput',
        ...common,
        '--dims',
        String(SHAPE.dims),
        '--layers',
        String(m.layers),
        '--activation',
        m.activation,
        '--readout',
        m.readout,
        ...steps,
      ],
    };
  }
  return {
    script: LSTM_REFERENCE,
    args: [
      'throughput',
      ...common,
      '--input-size',
      String(SHAPE.dims),
      '--layers',
      String(m.layers),
      ...(m.type === 'blstm' ? ['--bidirectional'] : []),
      ...steps,
    ],
  };
}

/**
 * Measures each model `rounds` times, ours then PyTorch at each thread setting within a round (so
 * a burst of load from elsewhere hits both sides), and reports medians and ratios.
 */
export async function benchThroughput(opts: {
  rounds: number;
  quick: boolean;
  log: (line: string) => void;
}): Promise<{ result: ThroughputResult; text: string }> {
  const { selectBackend } = await import('../../src-main/core/training/backend');
  const { measureThroughput } = await import('../../src-main/core/training/models/index');
  const backend = await selectBackend('wasm');
  const torch = pytorchStatus();
  const settings = threadSettings();
  const q = opts.quick ? 0.5 : 1;
  const slowSeconds = opts.quick ? 10 : 20;
  const cases: ModelCase[] = [
    {
      key: 'lstm',
      preset: 'seed-lstm',
      oursSteps: Math.round(4 * q),
      torchSteps: Math.round(10 * q),
      torchWarmup: 2,
    },
    { key: 'blstm', preset: 'seed-blstm', oursSteps: 2, torchSteps: Math.round(4 * q), torchWarmup: 1 },
    {
      key: 'cnn',
      preset: 'seed-cnn',
      oursSteps: Math.round(16 * q),
      torchSteps: Math.round(40 * q),
      torchWarmup: 3,
    },
  ];
  const out: Partial<Record<ModelCase['key'], SpeedComparison>> = {};
  for (const c of cases) {
    const spec = PRESETS[c.preset].config.model;
    const ours: number[] = [];
    const torchRuns: Record<string, number[]> = Object.fromEntries(settings.map((s) => [s.key, []]));
    const torchErrors: Record<string, string> = {};
    const torchCapped: Record<string, string> = {};
    for (let r = 0; r < opts.rounds; r++) {
      opts.log(`  ${c.key}: round ${r + 1}/${opts.rounds}`);
      ours.push(measureThroughput(spec, SHAPE, BATCH, c.oursSteps, { warmup: 1 }).samplesPerSecond);
      if (!('version' in torch)) continue;
      const { script, args } = referenceArgs(c);
      for (const s of settings) {
        if (torchErrors[s.key] || torchCapped[s.key]) continue;
        const t0 = performance.now();
        try {
          torchRuns[s.key]!.push(Number(runReference(script, args, s, slowSeconds * 3000).samples_per_s));
        } catch (err) {
          torchErrors[s.key] = (err as Error).message;
        }
        // A side setting that collapses (oversubscribed threads) is not repeated: it would eat the
        // time budget. The headline (one thread) always gets every round.
        const seconds = (performance.now() - t0) / 1000;
        if (s.key !== 'one_thread' && seconds > slowSeconds && r < opts.rounds - 1) {
          torchCapped[s.key] = `not repeated: one run took ${seconds.toFixed(0)} s`;
        }
      }
    }
    const oursMedian = median(ours);
    const perSetting =
      'version' in torch
        ? (Object.fromEntries(
            settings.map((s) => {
              const runs = torchRuns[s.key]!;
              const speed = runs.length ? median(runs) : null;
              const entry: TorchSpeed = {
                threads: s.threads ?? os.availableParallelism(),
                openblas_threads: s.openblasThreads,
                samples_per_s: round(speed, 2),
                runs: runs.map((v) => round(v, 2)!),
                ratio: speed ? round(oursMedian / speed) : null,
              };
              if (torchErrors[s.key]) entry.error = torchErrors[s.key];
              if (torchCapped[s.key]) entry.note = torchCapped[s.key];
              return [s.key, entry];
            }),
          ) as Record<ThreadSetting['key'], TorchSpeed>)
        : null;
    const headline = perSetting?.one_thread ?? null;
    out[c.key] = {
      ours: round(oursMedian, 2)!,
      ours_runs: ours.map((v) => round(v, 2)!),
      pytorch: headline?.samples_per_s ?? null,
      ratio: headline?.ratio ?? null,
      pytorch_threads: perSetting,
      model: describe(c.preset),
      ...('note' in torch
        ? { note: torch.note }
        : spec.dropout > 0
          ? { note: 'the PyTorch twin has no dropout' }
          : {}),
    };
  }
  const lstmProfile = await profileStep(PRESETS['seed-lstm'].config.model, SHAPE, BATCH);
  const result: ThroughputResult = {
    lstm_profile: lstmProfile,
    backend: backend.version,
    pytorch_version: 'version' in torch ? torch.version : null,
    shape: `${SHAPE.steps}x${SHAPE.dims} raw frames, batch ${BATCH}, Adam`,
    rounds: opts.rounds,
    lstm: out.lstm!,
    blstm: out.blstm!,
    cnn: out.cnn!,
  };
  return { result, text: render(result, settings, 'note' in torch ? torch.note : null) };
}

function render(r: ThroughputResult, settings: ThreadSetting[], missing: string | null): string {
  const head = ['model', 'ours (wasm, 1 thr)'];
  for (const s of settings) head.push(s.label, s.key === 'one_thread' ? 'RATIO' : 'ratio');
  const rows = (['lstm', 'blstm', 'cnn'] as const).map((k) => {
    const c = r[k];
    const row = [k, fmt(c.ours)];
    for (const s of settings) {
      const t = c.pytorch_threads?.[s.key];
      const missing = t?.error?.includes('timed out') ? 'timeout' : 'failed';
      row.push(t?.error && !t.runs.length ? missing : fmt(t?.samples_per_s), fmt(t?.ratio));
    }
    return row;
  });
  const lines = [
    `Training speed, samples/s (median of ${r.rounds}; ${r.shape}; ours: ${r.backend})`,
    table(head, rows),
    'RATIO = ours / PyTorch at the SAME thread count (1: our wasm backend is single-threaded); the headline `ratio` in the JSON.',
    `PyTorch 1 thread: --threads 1 with OPENBLAS_NUM_THREADS=1. ${settings[1]!.label}: its best setting on this machine.`,
    'PyTorch script default: seed_lstm_reference.py as-is (--threads = cores, OpenBLAS free), which oversubscribes',
    "2 cores; FINDINGS' 46-55 LSTM samples/s came from that.",
    ...(['lstm', 'blstm', 'cnn'] as const).map((k) => `  ${k}: ${r[k].model}`),
  ];
  const p = r.lstm_profile;
  lines.push(
    `Our LSTM step (batch ${BATCH}) profiled: ${p.step_ms} ms; ${p.matmul.calls} matMuls take ${p.matmul.ms} ms at ` +
      `${p.matmul.gflop_per_s} GFLOP/s, the other ${p.kernels - p.matmul.calls} kernels ${p.other_ms} ms.`,
  );
  if (missing) lines.push(`PyTorch: not measured, ${missing}`);
  for (const k of ['lstm', 'blstm', 'cnn'] as const) {
    for (const [key, t] of Object.entries(r[k].pytorch_threads ?? {})) {
      if (t.error) lines.push(`PyTorch ${k} ${key} failed: ${t.error}`);
      if (t.note) lines.push(`PyTorch ${k} ${key}: ${t.note}`);
    }
  }
  return lines.join('\n');
}
