import { describe, expect, it } from 'vitest';
import { errorBody, RequestError, statusOf } from '../../src-main/server/errors';

describe('errors as the browser shell answers them', () => {
  it('shows the app’s own errors, and only a generic line for internal faults', () => {
    const named = (name: string, message: string) => Object.assign(new Error(message), { name });
    expect(statusOf(named('DatasetError', 'No NSynth split in /x.'))).toBe(400);
    expect(errorBody(named('DatasetError', 'No NSynth split in /x.'))).toEqual({
      name: 'DatasetError',
      message: 'No NSynth split in /x.',
    });
    expect(statusOf(new RequestError(415, 'JSON only.'))).toBe(415);
    expect(errorBody(new RequestError(415, 'JSON only.')).name).toBe('UnsupportedMediaType');
    const bug = new TypeError("Cannot read properties of null (reading 'args')");
    expect(statusOf(bug)).toBe(500);
    expect(errorBody(bug).name).toBe('InternalError');
    expect(errorBody(bug).message).not.toMatch(/null|args/);
    expect(errorBody('a string thrown').name).toBe('InternalError');
    const long = Object.assign(new Error("ENAMETOOLONG: name too long, stat '/x'"), { code: 'ENAMETOOLONG' });
    expect(statusOf(long)).toBe(400);
    const missing = Object.assign(new Error("ENOENT: no such file, open '/home/u/.config/x'"), {
      code: 'ENOENT',
    });
    expect(statusOf(missing)).toBe(500);
    expect(errorBody(missing).message).not.toContain('/home');
  });
});
