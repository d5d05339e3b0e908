// The training settings' schema with the registered model types and representations, fetched once.
import type { TrainingOptions } from '../../../src-main/shared/train-schema';
import { api } from './client';

/** api.trainingOptions(), asked once per window (the registries do not change while the app runs). */
class TrainingOptionsStore {
  /** The schema, or null until it has arrived. */
  value = $state.raw<TrainingOptions | null>(null);
  private pending: Promise<TrainingOptions> | null = null;

  /** Resolves with the schema, fetching it on the first call (and again after a failed one). */
  load(): Promise<TrainingOptions> {
    this.pending ??= api.trainingOptions().then(
      (options) => (this.value = options),
      (err: unknown) => {
        this.pending = null;
        throw err;
      },
    );
    return this.pending;
  }
}

/** The one copy of the schema the views share. */
export const trainingOptions = new TrainingOptionsStore();
