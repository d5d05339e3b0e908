import { describe, expect, it } from 'vitest';
import { RequestError } from '../../src-main/server/errors';
import { parseTarget } from '../../src-main/server/request-target';

const status = (target: string) => {
  try {
    parseTarget(target);
    return 'parsed';
  } catch (err) {
    return err instanceof RequestError ? err.status : 'threw something else';
  }
};

describe('request targets', () => {
  it('takes a path apart into decoded segments and keeps the query', () => {
    expect(parseTarget('/').segments).toEqual([]);
    expect(parseTarget('/api/listRuns').segments).toEqual(['api', 'listRuns']);
    const t = parseTarget('/assets/a%20b.js?token=abc&x=%zz#frag');
    expect(t.segments).toEqual(['assets', 'a b.js']);
    expect(t.rawPath).toBe('/assets/a%20b.js');
    expect(t.query.get('token')).toBe('abc');
    expect(t.query.get('x')).toBe('%zz');
  });

  it('refuses what new URL threw on, and every way out of the folder, with a 4xx', () => {
    for (const target of [
      '//',
      '//:99999',
      '//[::1',
      '/%E0%A4%A',
      '/%',
      '/%zz',
      '/a%00b',
      '/a/',
      '*',
      'http://x/',
    ])
      expect(status(target), target).toBe(400);
    for (const target of ['/..', '/a/../b', '/%2e%2e/x', '/.', '/a%2fb', '/a%5cb', '/a\\b', '/\xff'])
      expect(status(target), target).toBe(400);
    expect(status(`/${'a'.repeat(5000)}`)).toBe(414);
    expect(status('/%252e%252e')).toBe('parsed');
  });
});
