import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderDataset } from '../../src-main/core/datasets/render/render-dataset';

// v2: rendered since timbre-render.json carries the split rule (a v1 copy on a machine lacks it).
const SHARED = path.join(os.tmpdir(), 'timbre-test-tiny-v2');

/**
 * The tiny data set rendered by the app itself, once per machine: rendering is deterministic,
 * so every test file can share one copy (each imports it into its own TIMBRE_HOME).
 */
export async function tinyDataset(): Promise<string> {
  if (fs.existsSync(path.join(SHARED, 'nsynth-test', 'examples.json'))) return SHARED;
  const tmp = `${SHARED}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  await renderDataset({ out: tmp, preset: 'tiny' });
  try {
    fs.renameSync(tmp, SHARED);
  } catch {
    // Another test process finished first; its copy is identical.
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return SHARED;
}
