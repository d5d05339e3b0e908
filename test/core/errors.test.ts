import { describe, expect, it } from 'vitest';
import { NotFoundError, RunStateError } from '../../src-main/core/workbench';
import { ApiArgumentError } from '../../src-main/core/api-schema';
import { JsonSyntaxError } from '../../src-main/core/datasets/json-stream';
import { DatasetError } from '../../src-main/core/datasets/nsynth-scan';
import { RenderError } from '../../src-main/core/datasets/render/render-dataset';
import { WavError } from '../../src-main/core/datasets/wav';
import {
  codeOf,
  errorBody,
  exitCodeOf,
  httpStatusOf,
  isInternal,
  WorkbenchError,
} from '../../src-main/core/errors';
import {
  DatabaseDamagedError,
  DatabaseMissingError,
  DatabaseOpenError,
  DatabaseTooNewError,
} from '../../src-main/core/store/database';
import { RestoreError } from '../../src-main/core/store/maintenance';
import { ReportError } from '../../src-main/core/reports/types';
import { FeatureConfigError } from '../../src-main/core/features/config';
import { FeatureCacheError } from '../../src-main/core/features/layout';
import { LockTimeoutError } from '../../src-main/core/file-lock';
import { PathError } from '../../src-main/core/fs-safe';
import { PredictionsError } from '../../src-main/core/predictions';
import { BackendUnavailableError } from '../../src-main/core/training/backend';
import { TrainConfigError } from '../../src-main/core/training/config';
import { ModelFileError } from '../../src-main/core/training/model-io';
import { InvalidModelSpecError } from '../../src-main/core/training/models/build';
import { TrainingError } from '../../src-main/core/training/failure';
import { UsageError } from '../../src-main/cli/args';
import { ERROR_CODES, type ErrorCode } from '../../src-main/shared/errors';

describe('the error table', () => {
  it.each([
    ['usage', 400, 2, true],
    ['bad-argument', 400, 1, true],
    ['bad-input', 400, 1, true],
    ['not-found', 404, 1, true],
    ['conflict', 409, 1, true],
    ['busy', 503, 1, true],
    ['unusable', 500, 1, true],
    ['internal', 500, 1, false],
  ] as const)('answers %s with HTTP %i and exit %i (shown: %s)', (code, status, exit, shown) => {
    const err = new WorkbenchError(code, 'The reason.');
    expect(ERROR_CODES[code]).toMatchObject({ status, exit, shown });
    expect([codeOf(err), httpStatusOf(err), exitCodeOf(err), isInternal(err)]).toEqual([
      code,
      status,
      exit,
      !shown,
    ]);
    expect(err.name).toBe(ERROR_CODES[code].name);
  });

  it('lists every code above', () => {
    expect(Object.keys(ERROR_CODES).sort()).toEqual(
      (
        [
          'usage',
          'bad-argument',
          'bad-input',
          'not-found',
          'conflict',
          'busy',
          'unusable',
          'internal',
        ] satisfies ErrorCode[]
      ).sort(),
    );
  });
});

describe('the app’s errors', () => {
  it.each([
    [new UsageError('x'), 'UsageError', 'usage', 400, 2],
    [new ApiArgumentError('x'), 'ApiArgumentError', 'bad-argument', 400, 1],
    [new TrainConfigError('x'), 'TrainConfigError', 'bad-argument', 400, 1],
    [new FeatureConfigError('hop', 'x'), 'FeatureConfigError', 'bad-argument', 400, 1],
    [new InvalidModelSpecError('x'), 'InvalidModelSpecError', 'bad-argument', 400, 1],
    [new BackendUnavailableError('x'), 'BackendUnavailableError', 'bad-argument', 400, 1],
    [new DatasetError('x'), 'DatasetError', 'bad-input', 400, 1],
    [new JsonSyntaxError('a.json', 3, 1, 'x'), 'JsonSyntaxError', 'bad-input', 400, 1],
    [new RenderError('x'), 'RenderError', 'bad-input', 400, 1],
    [new WavError('x'), 'WavError', 'bad-input', 400, 1],
    [new ModelFileError('x'), 'ModelFileError', 'bad-input', 400, 1],
    [new PathError('x'), 'PathError', 'bad-input', 400, 1],
    [new TrainingError('x'), 'TrainingError', 'bad-input', 400, 1],
    [new NotFoundError('x'), 'NotFoundError', 'not-found', 404, 1],
    [new PredictionsError('x'), 'PredictionsError', 'not-found', 404, 1],
    [new RunStateError('x'), 'RunStateError', 'conflict', 409, 1],
    [new LockTimeoutError('x', 'y', 'z'), 'LockTimeoutError', 'busy', 503, 1],
    [new FeatureCacheError('x'), 'FeatureCacheError', 'unusable', 500, 1],
    [new DatabaseOpenError('f', 'why'), 'DatabaseOpenError', 'unusable', 500, 1],
    [new DatabaseTooNewError('f', 4, 3), 'DatabaseTooNewError', 'unusable', 500, 1],
    [new DatabaseDamagedError('f', 'why'), 'DatabaseDamagedError', 'unusable', 500, 1],
    [
      new DatabaseMissingError('/h/timbre.db', 'empty', ['models/']),
      'DatabaseMissingError',
      'unusable',
      500,
      1,
    ],
    [new RestoreError('x'), 'RestoreError', 'bad-input', 400, 1],
    [new ReportError('x'), 'ReportError', 'bad-input', 400, 1],
  ])('%o is a shown %s: %s, HTTP %i, exit %i', (err, name, code, status, exit) => {
    expect(err.name).toBe(name);
    expect(err).toBeInstanceOf(Error);
    expect([codeOf(err), httpStatusOf(err), exitCodeOf(err), isInternal(err)]).toEqual([
      code,
      status,
      exit,
      false,
    ]);
    expect(errorBody(err)).toEqual({ name, message: err.message });
  });

  it('keeps the message, the cause and the instanceof of each kind', () => {
    const cause = new Error('inner');
    const err = new DatasetError('No NSynth split in /x.', { cause });
    expect(err.message).toBe('No NSynth split in /x.');
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(DatasetError);
    expect(err).toBeInstanceOf(WorkbenchError);
    expect(err).not.toBeInstanceOf(RenderError);
    expect(new FeatureConfigError('hop', 'too big').message).toBe('Feature setting "hop": too big');
  });

  it('shows only a generic line for internal faults, naming no path', () => {
    const bug = new TypeError("Cannot read properties of null (reading 'args')");
    expect([codeOf(bug), httpStatusOf(bug), exitCodeOf(bug), isInternal(bug)]).toEqual([
      'internal',
      500,
      1,
      true,
    ]);
    expect(errorBody(bug).name).toBe('InternalError');
    expect(errorBody(bug).message).not.toMatch(/null|args/);
    expect(errorBody('a string thrown').name).toBe('InternalError');
    expect(errorBody(bug, 'See the terminal.').message).toBe('See the terminal.');
    // A plain Error named like one of ours is still a fault of the app: the code decides, not the name.
    for (const name of ['DatasetError', 'DatabaseDamagedError', 'ReportError'])
      expect(isInternal(Object.assign(new Error('why'), { name }))).toBe(true);
    const missing = Object.assign(new Error("ENOENT: no such file, open '/home/u/.config/x'"), {
      code: 'ENOENT',
    });
    expect(httpStatusOf(missing)).toBe(500);
    expect(errorBody(missing).message).not.toContain('/home');
  });

  it('shows a path the file system refuses as a PathError of the request', () => {
    const long = Object.assign(new Error("ENAMETOOLONG: name too long, stat '/x'"), { code: 'ENAMETOOLONG' });
    expect([codeOf(long), httpStatusOf(long)]).toEqual(['bad-input', 400]);
    expect(errorBody(long)).toEqual({
      name: 'PathError',
      message: 'A path in the request is too long for the file system.',
    });
  });
});
