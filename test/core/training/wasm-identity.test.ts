import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src-main/core/training/backend';

// tfjs keeps what gradients need through Identity; on wasm ours shares the data instead of copying.
describe('Identity on the wasm backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('shares the data of what it keeps, which outlives the original and is freed with the last holder', () => {
    const base = tf.memory().numTensors;
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    const z = tf.add(y, 1);
    expect(Array.from(z.dataSync())).toEqual([2, 3, 4, 5, 6, 7]);
    tf.dispose([y, z]);
    expect(tf.memory().numTensors).toBe(base);
  });

  it('keeps the inputs a recorded kernel needs for its gradient, disposed with the tape', () => {
    const base = tf.memory().numTensors;
    const init = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const a = tf.variable(init);
    init.dispose();
    const b = tf.tensor2d([5, 6, 7, 8], [2, 2]);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.matMul(a, b)), [a]);
    // d sum(a b) / d a = 1 b^T: each row of the gradient is b's row sums.
    expect(Array.from(grads[a.name]!.dataSync())).toEqual([11, 15, 11, 15]);
    expect(value.dataSync()[0]).toBe(1 * 5 + 2 * 7 + 1 * 6 + 2 * 8 + 3 * 5 + 4 * 7 + 3 * 6 + 4 * 8);
    tf.dispose([value, grads[a.name]!, b]);
    a.dispose();
    expect(tf.memory().numTensors).toBe(base);
  });
});
