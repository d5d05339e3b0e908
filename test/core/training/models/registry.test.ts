import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  buildModel,
  InvalidModelSpecError,
  validateSpec,
} from '../../../../src-main/core/training/models/build';
import { MODEL_TYPE_LIST, modelType } from '../../../../src-main/core/training/models/registry';
import type { ModelSpec } from '../../../../src-main/core/training/models/types';

const SHAPE = { steps: 16, dims: 8 };
const spec = (type: string, extra: Partial<ModelSpec> = {}): ModelSpec => ({
  type,
  hidden: 4,
  layers: 1,
  dropout: 0,
  activation: 'relu',
  readout: 'last',
  ...extra,
});

describe('the model type registry', () => {
  it('builds every registered type through its own builder', async () => {
    await tf.setBackend('cpu');
    for (const t of MODEL_TYPE_LIST) {
      const model = buildModel(spec(t.id), SHAPE, 1, 3);
      expect(model.spec.type, t.id).toBe(t.id);
      const logits = model.apply(tf.zeros([2, SHAPE.steps, SHAPE.dims]) as tf.Tensor3D, false);
      expect(logits.shape, t.id).toEqual([2, 3]);
      logits.dispose();
      model.dispose();
    }
  });

  it('throws a bad-argument error for a type nobody registered, never building an LSTM', () => {
    const before = tf.memory().numTensors;
    let thrown: unknown;
    try {
      buildModel(spec('transformer'), SHAPE, 1);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidModelSpecError);
    expect(thrown).toMatchObject({ code: 'bad-argument' });
    expect((thrown as Error).message).toMatch(
      /unknown model type "transformer"; one of mlp, cnn, lstm, blstm/,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(() => modelType('')).toThrow(InvalidModelSpecError);
  });

  it("checks a spec against the schema's ranges, narrowed by the type", () => {
    expect(() => validateSpec(spec('cnn', { layers: 5 }), { steps: 1000, dims: 4 })).toThrow(
      /layers must be a whole number from 1 to 4 for cnn \(got 5\)/,
    );
    expect(() => validateSpec(spec('lstm', { layers: 5 }), SHAPE)).not.toThrow();
    expect(() => validateSpec(spec('lstm', { layers: 9 }), SHAPE)).toThrow(/from 1 to 8/);
    expect(() => validateSpec(spec('cnn', { layers: 4 }), { steps: 8, dims: 4 })).toThrow(
      /at least 16 time steps/,
    );
    expect(() => validateSpec(spec('mlp'), { steps: 0, dims: 4 })).toThrow(/input shape/);
  });
});
