// The model layer's public surface: builders and the throughput probe (the training step is ../step.ts).
export type { InputShape, Model, ModelSpec, NamedWeight } from './types';
export { buildModel, validateSpec, InvalidModelSpecError } from './build';
export { MODEL_TYPE_LIST, findModelType, modelType, type ModelTypeDef } from './registry';
export {
  measureThroughput,
  parallelThroughput,
  type ParallelThroughput,
  type Throughput,
} from './throughput';
