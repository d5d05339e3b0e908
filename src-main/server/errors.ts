import { STATUS_CODES } from 'node:http';
import type { ApiErrorBody } from '../shared/api';

/** A request the browser shell refuses, with the 4xx status and the one-line reason it answers. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = (STATUS_CODES[status] ?? 'Bad Request').replace(/[^A-Za-z]/g, '');
  }
}

// Errors caused by what the user asked, by class name, and the HTTP status each maps to.
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
  BackendUnavailableError: 400,
  PathError: 400,
};

// The app's own errors that are not the request's fault but say something the user can act on
// (a damaged cache, a database from a newer app): shown as they are, with a 500.
const SHOWN: ReadonlySet<string> = new Set([
  'FeatureCacheError',
  'TrainingError',
  'DatabaseOpenError',
  'DatabaseTooNewError',
  'DatabaseDamagedError',
  'DatabaseMissingError',
  'LockTimeoutError',
]);

// A system error no path of the app's own can cause, only one a request named (importDataset's
// root): the file system refuses the name itself.
const PATH_ERRORS: Record<string, string> = {
  ENAMETOOLONG: 'A path in the request is too long for the file system.',
};

function pathError(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && Object.hasOwn(PATH_ERRORS, code) ? PATH_ERRORS[code] : undefined;
}

/** The HTTP status for an error thrown while answering a request. */
export function statusOf(err: unknown): number {
  if (err instanceof RequestError) return err.status;
  if (pathError(err)) return 400;
  return err instanceof Error ? (STATUS[err.name] ?? 500) : 500;
}

/** Whether an error is a fault of the app itself (a bug, a failed system call), not of the request. */
export function isInternal(err: unknown): boolean {
  return statusOf(err) >= 500 && !(err instanceof Error && SHOWN.has(err.name));
}

/**
 * An error as it crosses to a window: class name and message, never a stack. Internal faults (a
 * TypeError, an fs error naming paths) are answered with a generic line; the shell logs them.
 */
export function errorBody(err: unknown): ApiErrorBody {
  if (isInternal(err) || !(err instanceof Error)) {
    return {
      name: 'InternalError',
      message: 'The workbench failed to answer this request (an internal error).',
    };
  }
  const path = pathError(err);
  if (path) return { name: 'PathError', message: path };
  return { name: err.name, message: err.message };
}
