// The model layer's public surface: builders, training step, throughput probe.
export type { InputShape, Model, ModelSpec, NamedWeight } from './types';
export { buildModel, validateSpec, InvalidModelSpecError, SEED_LSTM_SPEC } from './build';
export { makeOptimizer, trainStep, crossEntropy, predict, type OptimizerSpec } from './train';
export { measureThroughput, type Throughput } from './throughput';
