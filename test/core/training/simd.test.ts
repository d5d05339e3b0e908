import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript build script, without types of its own
import { compiledModule, TS_FILE } from '../../../scripts/build-wasm.mjs';
import { selectBackend } from '../../../src-main/core/training/backend';
import { linear } from '../../../src-main/core/training/models/linear';
import { simdLoops } from '../../../src-main/core/training/simd';
import { relativeError } from './models/reference';

describe('our WebAssembly SIMD loops', () => {
  it('in simd-wasm.ts are simd.wat compiled (run scripts/build-wasm.mjs after editing the .wat)', async () => {
    const compiled = (await compiledModule()) as string;
    expect(fs.readFileSync(TS_FILE as string, 'utf8')).toBe(compiled);
  });
});

// Row-major [rows, cols] -> [cols, rows], by the definition.
function transposed(values: Float32Array, rows: number, cols: number): number[] {
  return Array.from({ length: rows * cols }, (_, k) => values[(k % rows) * cols + Math.floor(k / rows)]!);
}

describe('on wasm', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('the SIMD loops load over the backend heap', () => {
    expect(simdLoops(tf.backend())).not.toBeNull();
  });

  it('starting wasm again keeps our Transpose and Identity as they were, not wrapped twice', async () => {
    const before = ['Transpose', 'Identity'].map((k) => tf.getKernel(k, 'wasm')!.kernelFunc);
    await selectBackend('wasm');
    expect(['Transpose', 'Identity'].map((k) => tf.getKernel(k, 'wasm')!.kernelFunc)).toEqual(before);
  });

  // 4 x 8 and 12 x 200 (four column tiles, the last narrower) take the SIMD transpose; 6 x 10 and
  // 8 x 7 (not multiples of 4) wasm's own.
  it.each([
    [4, 8],
    [12, 200],
    [6, 10],
    [8, 7],
  ])('tf.transpose of a %i x %i matrix turns it', (rows, cols) => {
    const values = Float32Array.from({ length: rows * cols }, (_, k) => k * 0.5 - 3);
    const x = tf.tensor2d(values, [rows, cols]);
    const y = tf.transpose(x);
    expect(y.shape).toEqual([cols, rows]);
    expect(Array.from(y.dataSync())).toEqual(transposed(values, rows, cols));
    tf.dispose([x, y]);
  });

  it('leaves other transposes (3-D, int32) to wasm, which turns them as before', () => {
    const x = tf.tensor3d(
      Array.from({ length: 2 * 4 * 8 }, (_, k) => k),
      [2, 4, 8],
      'int32',
    );
    const y = tf.transpose(x, [0, 2, 1]).arraySync() as number[][][];
    const xs = x.arraySync();
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 4; j++) for (let k = 0; k < 8; k++) expect(y[i]![k]![j]).toBe(xs[i]![j]![k]);
    x.dispose();
  });

  // linear() forms dW = x^T dy with the narrower of x and dy on the matMul's right: both ways.
  it.each([
    [20, 8],
    [8, 20],
  ])("linear's gradients from %i inputs to %i outputs equal tf's own", (inputs, outputs) => {
    tf.tidy(() => {
      const x = tf.randomNormal([16, inputs], 0, 1, 'float32', 1) as tf.Tensor2D;
      const k = tf.randomNormal([inputs, outputs], 0, 1, 'float32', 2) as tf.Tensor2D;
      const b = tf.randomNormal([outputs], 0, 1, 'float32', 3) as tf.Tensor1D;
      const r = tf.randomNormal([16, outputs], 0, 1, 'float32', 4);
      const loss = (f: typeof linear) => (xx: tf.Tensor, kk: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(f(xx as tf.Tensor2D, kk as tf.Tensor2D, bb as tf.Tensor1D), r));
      const stock = (xx: tf.Tensor2D, kk: tf.Tensor2D, bb: tf.Tensor1D) =>
        tf.add(tf.matMul(xx, kk), bb) as tf.Tensor2D;
      const ours = tf.grads(loss(linear))([x, k, b]);
      const theirs = tf.grads(loss(stock))([x, k, b]);
      ours.forEach((g, i) => expect(relativeError(g, theirs[i]!)).toBeLessThan(1e-5));
    });
  });
});
