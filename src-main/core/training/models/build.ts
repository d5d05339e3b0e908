import { FAMILIES } from '../../../shared/constants';
import { buildCnn } from './cnn';
import { buildCnn2d } from './cnn2d';
import { buildCrnn } from './crnn';
import { buildBgru, buildGru } from './gru';
import { seededRandom, WeightSet } from './init';
import { buildRecurrent } from './lstm';
import { buildMlp } from './mlp';
import { InvalidModelSpecError, modelType } from './registry';
import type { InputShape, Model, ModelSpec } from './types';
import { modelSpecProblem } from '../options';

export { InvalidModelSpecError };

/**
 * Builds a type's network for inputs [batch, shape.steps, shape.dims] and `classes` logits, every
 * weight drawn from `set` (so a seed gives the same weights on every backend). The spec is valid.
 */
export type ModelBuilder = (spec: ModelSpec, shape: InputShape, classes: number, set: WeightSet) => Model;

/**
 * Each registered model type's builder, by id: one line per type. Kept apart from the registry
 * (registry.ts) because builders load tfjs, which only the training and evaluation workers need.
 */
export const MODEL_BUILDERS: Readonly<Record<string, ModelBuilder>> = {
  mlp: buildMlp,
  cnn: buildCnn,
  cnn2d: buildCnn2d,
  crnn: buildCrnn,
  lstm: buildRecurrent,
  blstm: buildRecurrent,
  gru: buildGru,
  bgru: buildBgru,
};

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
  const build = Object.hasOwn(MODEL_BUILDERS, spec.type) ? MODEL_BUILDERS[spec.type] : undefined;
  // A registered type without a builder is our fault, not the spec's (a test checks every type has one).
  if (!build) throw new Error(`model type "${spec.type}" is registered but has no builder in MODEL_BUILDERS`);
  return build(spec, shape, classes, new WeightSet(seededRandom(seed)));
}
