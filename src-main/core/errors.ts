import type { ApiErrorBody } from '../shared/contract';
import { ERROR_CODES, type ErrorCode } from '../shared/errors';

/**
 * The one error type of the workbench: a message a user can act on, and a code that decides how
 * every shell answers it (ERROR_CODES). `name` says which part of the app refused (DatasetError,
 * TrainConfigError ...): windows and scripts see it, nothing decides by it.
 */
export class WorkbenchError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; name?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = options?.name ?? ERROR_CODES[code].name;
  }
}

/** A named kind of WorkbenchError with a fixed code, e.g. `errorKind('DatasetError', 'bad-input')`. */
export function errorKind(name: string, code: ErrorCode) {
  return class extends WorkbenchError {
    constructor(message: string, options?: { cause?: unknown }) {
      super(code, message, { cause: options?.cause, name });
    }
  };
}

// A system error no path of the app's own can cause, only one a request named (importDataset's
// root): the file system refuses the name itself. Shown as a PathError with this message.
const PATH_ERRORS: Readonly<Record<string, string>> = {
  ENAMETOOLONG: 'A path in the request is too long for the file system.',
};

function pathError(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && Object.hasOwn(PATH_ERRORS, code) ? PATH_ERRORS[code] : undefined;
}

/** The code of anything thrown: a WorkbenchError's own, else 'internal' (a bug, a failed system call). */
export function codeOf(err: unknown): ErrorCode {
  if (err instanceof WorkbenchError) return err.code;
  if (err instanceof Error && pathError(err)) return 'bad-input';
  return 'internal';
}

/** Whether an error is a fault of the app itself, whose details are logged and never shown. */
export function isInternal(err: unknown): boolean {
  return !ERROR_CODES[codeOf(err)].shown;
}

/** The HTTP status the browser shell answers an error with. */
export function httpStatusOf(err: unknown): number {
  return ERROR_CODES[codeOf(err)].status;
}

/** The exit code of a `timbre` command that ended with this error. */
export function exitCodeOf(err: unknown): number {
  return ERROR_CODES[codeOf(err)].exit;
}

/** What a window is told about an internal fault, unless the shell says more. */
export const INTERNAL_MESSAGE = 'The workbench failed to answer this request (an internal error).';

/**
 * An error as it crosses to a window: name and message, never a stack. An internal fault (a
 * TypeError, an fs error naming paths) becomes a generic line; the shell logs the details.
 */
export function errorBody(err: unknown, internalMessage = INTERNAL_MESSAGE): ApiErrorBody {
  if (isInternal(err) || !(err instanceof Error))
    return { name: ERROR_CODES.internal.name, message: internalMessage };
  const path = pathError(err);
  if (path) return { name: 'PathError', message: path };
  return { name: err.name, message: err.message };
}
