// `npm run bench [-- --quick] [-- --json]`: measures the app on this machine and prints a table,
// then one JSON object on its last line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchDatasets, type BenchRow } from './datasets';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'timbre-bench-'));

function print(rows: BenchRow[]): void {
  const width = Math.max(...rows.map((r) => r.what.length));
  for (const r of rows) {
    const value = r.value >= 100 ? r.value.toFixed(0) : r.value.toFixed(2);
    console.log(`${r.what.padEnd(width)}  ${value.padStart(9)} ${r.unit}${r.note ? `   (${r.note})` : ''}`);
  }
}

try {
  console.log(
    `Timbre Workbench benchmark — ${os.cpus().length} cores, Node ${process.version}${quick ? ', quick' : ''}\n`,
  );
  const datasets = await benchDatasets(work, quick ? 'tiny' : 'default', quick ? [300, 3000] : [2000, 20000]);
  print(datasets.rows);
  const result = {
    datasets: {
      render_notes_per_s: datasets.render.notesPerSecond,
      render_realtime: datasets.render.realtimeFactor,
      rows: datasets.rows,
    },
    rss_mb: datasets.rss,
  };
  console.log(JSON.stringify(result));
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
