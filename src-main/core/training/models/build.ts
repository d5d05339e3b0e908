import { FAMILIES } from '../../../shared/constants';
import { buildCnn, cnnSteps, CNN_POOL } from './cnn';
import { seededRandom, WeightSet } from './init';
import { buildRecurrent } from './lstm';
import { buildMlp } from './mlp';
import type { InputShape, Model, ModelSpec } from './types';
import { errorKind } from '../../errors';

/** The seed study's LSTM (model1.py); its BLSTM (model2.py) is the same with type 'blstm'. */
export const SEED_LSTM_SPEC: ModelSpec = {
  type: 'lstm',
  hidden: 128,
  layers: 3,
  dropout: 0,
  activation: 'tanh',
  readout: 'last',
};

/** A spec or input shape the builders cannot honour. */
export const InvalidModelSpecError = errorKind('InvalidModelSpecError', 'bad-argument');
export type InvalidModelSpecError = InstanceType<typeof InvalidModelSpecError>;

function check(ok: boolean, message: string): void {
  if (!ok) throw new InvalidModelSpecError(message);
}

/** Throws InvalidModelSpecError naming the first field out of range. */
export function validateSpec(spec: ModelSpec, shape: InputShape): void {
  check(['mlp', 'cnn', 'lstm', 'blstm'].includes(spec.type), `unknown model type "${spec.type}"`);
  check(
    Number.isInteger(spec.hidden) && spec.hidden >= 1 && spec.hidden <= 4096,
    `hidden must be 1-4096, got ${spec.hidden}`,
  );
  const maxLayers = spec.type === 'cnn' ? 4 : 8;
  const minLayers = spec.type === 'mlp' ? 0 : 1;
  check(
    Number.isInteger(spec.layers) && spec.layers >= minLayers && spec.layers <= maxLayers,
    `layers must be ${minLayers}-${maxLayers} for ${spec.type}, got ${spec.layers}`,
  );
  check(spec.dropout >= 0 && spec.dropout < 1, `dropout must be at least 0 and below 1, got ${spec.dropout}`);
  check(['relu', 'tanh'].includes(spec.activation), `unknown activation "${spec.activation}"`);
  check(['last', 'mean', 'max'].includes(spec.readout), `unknown readout "${spec.readout}"`);
  check(
    spec.type !== 'cnn' || shape.steps < 1 || cnnSteps(shape.steps, spec.layers) >= 1,
    `a CNN with ${spec.layers} blocks needs at least ${CNN_POOL ** spec.layers} time steps, the input has ${shape.steps}`,
  );
  check(
    Number.isInteger(shape.steps) && shape.steps >= 1 && Number.isInteger(shape.dims) && shape.dims >= 1,
    `input shape must be whole steps and dims of at least 1, got ${shape.steps} x ${shape.dims}`,
  );
}

/**
 * Builds a model for inputs [batch, shape.steps, shape.dims] and `classes` logits, its weights
 * drawn from `seed` alone (same seed, same weights, on every backend).
 */
export function buildModel(
  spec: ModelSpec,
  shape: InputShape,
  seed: number,
  classes: number = FAMILIES.length,
): Model {
  validateSpec(spec, shape);
  const set = new WeightSet(seededRandom(seed));
  switch (spec.type) {
    case 'mlp':
      return buildMlp(spec, shape, classes, set);
    case 'cnn':
      return buildCnn(spec, shape, classes, set);
    default:
      return buildRecurrent(spec, shape, classes, set);
  }
}
