// Imports a data set and caches its features in a fresh process, then prints its peak RSS:
// `node --import tsx test/bench/rss-child.ts ROOT HOME REPRESENTATION`.
import { Workbench } from '../../src-main/core/workbench';

const [root, home, representation] = process.argv.slice(2);
const wb = new Workbench({ home });
const t0 = performance.now();
const dataset = await wb.importDataset(root!, 'bench');
const t1 = performance.now();
await wb.buildFeatures(dataset.id, { representation: representation as 'raw' | 'logmel' | 'mfcc' });
const t2 = performance.now();
await wb.close();
const notes = Object.values(dataset.splits).reduce((n, s) => n + (s?.notes ?? 0), 0);
process.stdout.write(
  `${JSON.stringify({
    notes,
    importSeconds: (t1 - t0) / 1000,
    featureSeconds: (t2 - t1) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
