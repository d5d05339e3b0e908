import { firstProblem, flatten, type SettingProblem } from '../../shared/train-checks';
import { joinRegistries, type FieldSection, type TrainingOptions } from '../../shared/train-schema';
import type { ModelSpec } from '../../shared/training';
import { representationInfo } from '../features/representations/registry';
import { modelTypeInfo } from './models/registry';

/** The training settings' schema with the registered model types and feature representations. */
export function trainingOptions(): TrainingOptions {
  return joinRegistries(modelTypeInfo(), representationInfo());
}

let cached: TrainingOptions | undefined;

/** The first problem of a model spec's fields (type, ranges narrowed by its type), or null. */
export function modelSpecProblem(spec: ModelSpec): string | null {
  return configProblem({ model: spec }, ['model'])?.message ?? null;
}

/** The first problem of a configuration's values in the given sections (schema order), or null. */
export function configProblem(
  values: Parameters<typeof flatten>[0],
  sections: FieldSection[],
): SettingProblem | null {
  // The registries do not change at run time.
  cached ??= trainingOptions();
  return firstProblem(flatten(values), cached, (f) => sections.includes(f.section));
}
