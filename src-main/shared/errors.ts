/** How a kind of failure is answered: HTTP status, CLI exit code, and whether its message is shown. */
export interface ErrorCodeInfo {
  /** The HTTP status the browser shell answers with. */
  status: number;
  /** The `timbre` command's exit code. */
  exit: number;
  /** Whether a window sees the message (else a generic line, and the details are logged). */
  shown: boolean;
  /** The name an error of this code carries when it is not given one of its own. */
  name: string;
}

/**
 * The kinds of failure the workbench reports, and how each is answered. The one table: the
 * browser shell, the Electron shell and the CLI all read their status, exit code and shown-or-not
 * from here.
 */
export const ERROR_CODES = {
  /** The command line itself is wrong (unknown command, bad flag). */
  usage: { status: 400, exit: 2, shown: true, name: 'UsageError' },
  /** An argument or setting out of its range (a training setting, a model spec, a backend name). */
  'bad-argument': { status: 400, exit: 1, shown: true, name: 'ApiArgumentError' },
  /** A file or folder the request points at cannot be used (a data set, a WAV, a model folder). */
  'bad-input': { status: 400, exit: 1, shown: true, name: 'BadInputError' },
  /** Something the request names does not exist (a run, a data set, a note). */
  'not-found': { status: 404, exit: 1, shown: true, name: 'NotFoundError' },
  /** The request does not fit the current state (resume a finished run, delete a training one). */
  conflict: { status: 409, exit: 1, shown: true, name: 'ConflictError' },
  /** Another process holds what is needed for too long; trying again later may work. */
  busy: { status: 503, exit: 1, shown: true, name: 'BusyError' },
  /** Files of the workbench's own it cannot use: a damaged cache, a database damaged or too new. */
  unusable: { status: 500, exit: 1, shown: true, name: 'UnusableError' },
  /** A fault of the app itself (a bug, a failed system call): never shown, always logged. */
  internal: { status: 500, exit: 1, shown: false, name: 'InternalError' },
} as const satisfies Record<string, ErrorCodeInfo>;

/** One of the kinds of failure in ERROR_CODES. */
export type ErrorCode = keyof typeof ERROR_CODES;
