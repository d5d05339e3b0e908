import type { ApiErrorBody } from '../shared/api';

// Errors a user can act on, by class name, and the HTTP status each maps to.
const STATUS: Record<string, number> = {
  ApiArgumentError: 400,
  TrainConfigError: 400,
  FeatureConfigError: 400,
  InvalidModelSpecError: 400,
  DatasetError: 400,
  RenderError: 400,
  NotFoundError: 404,
  RunStateError: 409,
  ReportError: 400,
  ModelFileError: 400,
  PredictionsError: 404,
  WavError: 400,
};

/** The HTTP status for an error thrown by the core. */
export function statusOf(err: unknown): number {
  return err instanceof Error ? (STATUS[err.name] ?? 500) : 500;
}

/** An error as it crosses to a window: class name and message, never a stack. */
export function errorBody(err: unknown): ApiErrorBody {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}
