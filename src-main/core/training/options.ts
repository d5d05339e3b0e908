import type { TrainingOptions } from '../../shared/train-schema';

/** The training settings' schema with the registered model types and feature representations. */
export function trainingOptions(): TrainingOptions {
  return { fields: [] };
}
