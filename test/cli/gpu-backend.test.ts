// tfjs-node-gpu, where it is installed, is the backend training picks first and the run records.
// It cannot be installed here (it downloads libtensorflow with CUDA), so a stand-in package of that
// name, found through NODE_PATH, registers tfjs's 'tensorflow' backend with the cpu kernels: the
// app's choice, its loading and its record are what is tested, not the GPU.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timbre } from '../helpers/cli';
import { tinyDataset } from '../helpers/tiny';
import { tempDir } from '../helpers/tmp';

const { dir, cleanup } = tempDir('timbre-gpu-');
const home = path.join(dir, 'home');
const modules = path.join(dir, 'node_modules');
const env = { NODE_PATH: [modules, path.resolve('node_modules')].join(path.delimiter) };

beforeAll(async () => {
  const pkg = path.join(modules, '@tensorflow', 'tfjs-node-gpu');
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name: '@tensorflow/tfjs-node-gpu', version: '0.0.0-stand-in', main: 'index.js' }),
  );
  fs.writeFileSync(
    path.join(pkg, 'index.js'),
    `const tf = require('@tensorflow/tfjs');
const { MathBackendCPU } = require('@tensorflow/tfjs-backend-cpu');
for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: 'tensorflow' });
tf.registerBackend('tensorflow', () => new MathBackendCPU(), 3);
`,
  );
  const imp = timbre(home, ['dataset', 'import', await tinyDataset(), '--name', 'tiny']);
  expect(imp.code, imp.stderr).toBe(0);
});
afterAll(cleanup);

describe('the node backend on a GPU machine', () => {
  it('trains on tfjs-node-gpu where it loads, and the run records it', () => {
    const r = timbre(
      home,
      [
        'train',
        ...['--preset', 'seed-fc', '--features', 'logmel', '--seconds', '0.5', '--n-mels', '16'],
        ...['--max-per-family', '2', '--batch', '8', '--epochs', '1', '--dataset', 'tiny', '--json'],
      ],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const run = r.json() as { id: number; status: string; backend: string };
    expect(run.status).toBe('finished');
    expect(run.backend).toBe('node');
    const show = timbre(home, ['runs', 'show', String(run.id), '--json']);
    expect(show.code, show.stderr).toBe(0);
    expect((show.json() as { backendVersion: string }).backendVersion).toMatch(
      /tfjs-node-gpu 0\.0\.0-stand-in/,
    );
  });
});
