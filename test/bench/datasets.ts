import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Workbench } from '../../src-main/core/workbench';
import { renderDataset } from '../../src-main/core/datasets/render/render-dataset';
import { replicateDataset } from './replicate';

/** One row of the benchmark's report. */
export interface BenchRow {
  what: string;
  value: number;
  unit: string;
  note?: string;
}

function countNotes(splits: Record<string, { notes: number } | undefined>): number {
  return Object.values(splits).reduce((n, s) => n + (s?.notes ?? 0), 0);
}

/** The data-set part: render, import and feature throughput, and peak RSS at two sizes. */
export async function benchDatasets(work: string, preset: 'tiny' | 'default', sizes: [number, number]) {
  const rows: BenchRow[] = [];
  const root = path.join(work, 'rendered');
  const render = await renderDataset({ out: root, preset });
  rows.push(
    { what: `render (${preset}, ${render.notes} notes)`, value: render.notesPerSecond, unit: 'notes/s' },
    { what: 'render, audio seconds per wall second', value: render.realtimeFactor, unit: 'x real time' },
  );

  const wb = new Workbench({ home: path.join(work, 'home') });
  try {
    const t0 = performance.now();
    const dataset = await wb.importDataset(root, 'bench');
    const importSeconds = (performance.now() - t0) / 1000;
    const notes = countNotes(dataset.splits);
    rows.push({ what: `import (${notes} notes)`, value: notes / importSeconds, unit: 'notes/s' });
    for (const representation of ['raw', 'logmel', 'mfcc'] as const) {
      const t = performance.now();
      const info = await wb.buildFeatures(dataset.id, { representation });
      const seconds = (performance.now() - t) / 1000;
      rows.push({
        what: `features ${representation} (${info.shape.steps}x${info.shape.dims})`,
        value: notes / seconds,
        unit: 'notes/s',
        note: `${((notes * info.config.seconds) / seconds).toFixed(0)} s of clips per s`,
      });
    }
  } finally {
    await wb.close();
  }

  const rss: Record<string, number> = {};
  for (const size of sizes) {
    const big = path.join(work, `replicated-${size}`);
    const made = replicateDataset(root, big, size);
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(import.meta.dirname, 'rss-child.ts'),
        big,
        path.join(work, `home-${size}`),
        'logmel',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const r = JSON.parse(out.trim().split('\n').pop()!) as {
      peakRssMb: number;
      importSeconds: number;
      featureSeconds: number;
    };
    rss[String(made)] = r.peakRssMb;
    rows.push({
      what: `peak RSS, import + logmel cache of ${made} notes`,
      value: r.peakRssMb,
      unit: 'MB',
      note: `import ${r.importSeconds.toFixed(1)} s, features ${r.featureSeconds.toFixed(1)} s`,
    });
  }
  return { rows, rss, render };
}
