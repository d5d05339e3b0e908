// The model layer's public surface: builders, training step, throughput probe.
export type { InputShape, Model, ModelSpec, NamedWeight } from './types';
export { buildModel, validateSpec, InvalidModelSpecError } from './build';
export { MODEL_TYPE_LIST, findModelType, modelType, type ModelTypeDef } from './registry';
export { makeOptimizer, trainStep, crossEntropy, predict, type OptimizerSpec } from './train';
export { measureThroughput, type Throughput } from './throughput';
