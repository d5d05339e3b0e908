// Trains one run through the app in a fresh process, then prints its epoch timings and peak RSS:
// `node --import tsx test/bench/train-child.ts HOME '<RunRequest as JSON>'`. The data set named in
// the request must be registered in HOME (and its feature cache built, to measure training alone).
import { Workbench } from '../../src-main/core/workbench';
import type { RunRequest } from '../../src-main/shared/contract';
import { dbSharePct, trainAndWatch } from './app-run';

const [home, requestJson] = process.argv.slice(2);
const request = JSON.parse(requestJson!) as RunRequest;
const wb = new Workbench({ home: home! });
try {
  const dataset = await wb.getDataset(request.dataset!);
  const run = await trainAndWatch(wb, request);
  process.stdout.write(
    `${JSON.stringify({
      notes: Object.values(dataset.splits).reduce((n, s) => n + (s?.notes ?? 0), 0),
      trainNotes: dataset.splits.train?.notes ?? 0,
      epochs: run.epochs,
      dbSharePct: dbSharePct(run.epochs),
      wallSeconds: run.wallSeconds,
      backend: run.detail.backend,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  );
} finally {
  await wb.close();
}
