import { selectBackend } from './src-main/core/training/backend.ts';
import { PRESETS } from './src-main/core/training/config.ts';
import { measureThroughput, parallelThroughput } from './src-main/core/training/models/throughput.ts';
await selectBackend('wasm');
const SHAPE = { steps: 100, dims: 160 };
const out: Record<string, number> = {};
for (const [preset, steps] of [['seed-lstm', 3], ['seed-cnn', 16]] as const) {
  const spec = PRESETS[preset].config.model;
  out[preset] = Number(measureThroughput(spec, SHAPE, 32, steps, { warmup: 1 }).samplesPerSecond.toFixed(1));
  if (process.argv[2] === 'par') {
    const p = await parallelThroughput(spec, SHAPE, 32, 2);
    out[preset + ' x2'] = Number(p.measure(steps, 1).samplesPerSecond.toFixed(1));
    await p.close();
  }
}
console.log(process.cwd(), JSON.stringify(out));
