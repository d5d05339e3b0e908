import { FAMILIES } from '../../../shared/constants';
import { seededRandom, WeightSet } from './init';
import { InvalidModelSpecError, modelType } from './registry';
import type { InputShape, Model, ModelSpec } from './types';
import { modelSpecProblem } from '../options';

export { InvalidModelSpecError };

/** Throws InvalidModelSpecError naming the first field out of range (ranges from the schema and registry). */
export function validateSpec(spec: ModelSpec, shape: InputShape): void {
  const type = modelType(spec.type);
  const problem =
    modelSpecProblem(spec) ??
    (Number.isInteger(shape.steps) && shape.steps >= 1 && Number.isInteger(shape.dims) && shape.dims >= 1
      ? type.shapeProblem?.(spec, shape)
      : `input shape must be whole steps and dims of at least 1, got ${shape.steps} x ${shape.dims}`);
  if (problem) throw new InvalidModelSpecError(problem);
}

/**
 * Builds a model for inputs [batch, shape.steps, shape.dims] and `classes` logits, its weights
 * drawn from `seed` alone (same seed, same weights, on every backend). A type missing from the
 * registry is an InvalidModelSpecError, never a fallback.
 */
export function buildModel(
  spec: ModelSpec,
  shape: InputShape,
  seed: number,
  classes: number = FAMILIES.length,
): Model {
  validateSpec(spec, shape);
  return modelType(spec.type).build(spec, shape, classes, new WeightSet(seededRandom(seed)));
}
