import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src-main/core/workbench';
import { errorBody, isInternal } from '../../src-main/core/errors';
import { RequestError, statusOf } from '../../src-main/server/errors';

describe('errors as the browser shell answers them', () => {
  it('answers a refused request with its own status and the status’s name', () => {
    expect(statusOf(new RequestError(415, 'JSON only.'))).toBe(415);
    expect(errorBody(new RequestError(415, 'JSON only.'))).toEqual({
      name: 'UnsupportedMediaType',
      message: 'JSON only.',
    });
    expect(statusOf(new RequestError(401, 'Token.'))).toBe(401);
    expect(isInternal(new RequestError(413, 'Too big.'))).toBe(false);
  });

  it('answers the app’s errors with the status of their code', () => {
    expect(statusOf(new NotFoundError('No run 9.'))).toBe(404);
    expect(statusOf(new TypeError('bug'))).toBe(500);
  });
});
