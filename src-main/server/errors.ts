import { STATUS_CODES } from 'node:http';
import { httpStatusOf, WorkbenchError } from '../core/errors';

/**
 * A request the browser shell refuses before any API method sees it (no token, not JSON, too
 * big), with its own 4xx status and the one-line reason it answers.
 */
export class RequestError extends WorkbenchError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(status === 404 ? 'not-found' : 'bad-argument', message, {
      name: (STATUS_CODES[status] ?? 'Bad Request').replace(/[^A-Za-z]/g, ''),
    });
  }
}

/** The HTTP status for an error thrown while answering a request: ERROR_CODES', or a RequestError's own. */
export function statusOf(err: unknown): number {
  return err instanceof RequestError ? err.status : httpStatusOf(err);
}
