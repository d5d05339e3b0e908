import { API_METHODS, type ApiErrorBody, type ApiMethod, type WorkbenchApi } from '../shared/contract';
import type { ErrorCode } from '../shared/errors';
import { checkArgs } from './api-schema';
import { codeOf, errorBody, INTERNAL_MESSAGE, isInternal, WorkbenchError } from './errors';

/** What an API call answers, in both shells: its value, or the error as a window may see it. */
export type ApiResult = { ok: true; value: unknown } | { ok: false; error: ApiErrorBody; code: ErrorCode };

/** A method a shell answers itself: gets the checked arguments and the Workbench's own call. */
export type ApiOverride = (args: unknown[], call: (args: unknown[]) => Promise<unknown>) => Promise<unknown>;

/** How one shell dispatches calls. */
export interface DispatchOptions {
  /** Where internal faults are logged (their details never reach the window). */
  log: (method: ApiMethod, err: unknown) => void;
  /** What the window is told about an internal fault (default INTERNAL_MESSAGE). */
  internalMessage?: string;
  /** Methods this shell answers itself (the Electron shell prints PDF reports). */
  overrides?: Partial<Record<ApiMethod, ApiOverride>>;
}

/** Calls of the WorkbenchApi by name, as both shells receive them. */
export interface ApiDispatch {
  /** Whether `method` names an API method (never a prototype member such as `constructor`). */
  has(method: unknown): method is ApiMethod;
  /** Looks the method up, checks the arguments, calls, and turns a thrown error into its body. */
  call(method: unknown, args: unknown): Promise<ApiResult>;
}

type Call = (args: unknown[]) => Promise<unknown>;

/** What a call of a name that is no API method is told. */
export function noSuchMethod(method: unknown): string {
  return `No API method "${String(method).slice(0, 60)}".`;
}

/**
 * The one dispatch of API calls, for IPC and HTTP alike. Methods are bound once into a Map, which
 * has no prototype chain: `__proto__`, `constructor` or `toString` can never reach a member of
 * the Workbench.
 *
 * What these reach on disk: every write goes into TIMBRE_HOME (database, feature caches, models);
 * the methods that read or write where they are told (renderDataset's `out`, testModel's model
 * folder, writeReport's `out`) are WorkbenchLocalApi's (core/local-api.ts), not in API_METHODS, and
 * the fuzz test checks they stay unreachable. A Workbench passed here is reached through the
 * contract's methods only, whatever else it has. importDataset reads the NSynth
 * folder it is given, wherever it is, since the Datasets view imports from any folder the user
 * types; what it answers is a summary or what is wrong with the layout, not the files' contents.
 */
export function apiDispatch(wb: WorkbenchApi, options: DispatchOptions): ApiDispatch {
  const table = new Map<string, Call>();
  for (const m of API_METHODS) {
    const fn = wb[m] as unknown;
    if (typeof fn !== 'function') continue;
    const call: Call = async (args) => (fn as (...a: unknown[]) => Promise<unknown>).apply(wb, args);
    const override = options.overrides?.[m];
    table.set(m, override ? (args) => override(args, call) : call);
  }
  const has = (method: unknown): method is ApiMethod => typeof method === 'string' && table.has(method);
  return {
    has,
    async call(method, args) {
      if (!has(method)) {
        const err = new WorkbenchError('not-found', noSuchMethod(method), { name: 'NotFound' });
        return { ok: false, error: errorBody(err), code: err.code };
      }
      try {
        return { ok: true, value: (await table.get(method)!(checkArgs(method, args))) ?? null };
      } catch (err) {
        if (isInternal(err)) options.log(method, err);
        return {
          ok: false,
          error: errorBody(err, options.internalMessage ?? INTERNAL_MESSAGE),
          code: codeOf(err),
        };
      }
    },
  };
}
