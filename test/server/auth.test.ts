import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { authorized, crossSiteReason, hostAllowed, TOKEN_COOKIE } from '../../src-main/server/auth';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const TOKEN = 'a'.repeat(48);

describe('who may call the browser shell', () => {
  it('names where a good token came from, and nothing for a wrong or missing one', () => {
    const none = new URLSearchParams();
    expect(authorized(req({}), new URLSearchParams(`token=${TOKEN}`), TOKEN)).toBe('query');
    expect(authorized(req({ authorization: `Bearer ${TOKEN}` }), none, TOKEN)).toBe('header');
    expect(authorized(req({ cookie: `x=1; ${TOKEN_COOKIE}=${TOKEN}` }), none, TOKEN)).toBe('cookie');
    expect(authorized(req({ cookie: `${TOKEN_COOKIE}=${TOKEN}x` }), none, TOKEN)).toBeNull();
    expect(authorized(req({ cookie: TOKEN_COOKIE }), none, TOKEN)).toBeNull();
    expect(authorized(req({}), none, TOKEN)).toBeNull();
  });

  it('takes only its own names in the Host header, IPv6 in brackets included', () => {
    expect(hostAllowed(req({ host: '127.0.0.1:8765' }), '127.0.0.1', 8765)).toBe(true);
    expect(hostAllowed(req({ host: 'localhost:8765' }), '127.0.0.1', 8765)).toBe(true);
    expect(hostAllowed(req({ host: '[::1]:8765' }), '::1', 8765)).toBe(true);
    expect(hostAllowed(req({ host: 'evil.example:8765' }), '127.0.0.1', 8765)).toBe(false);
    expect(hostAllowed(req({ host: '127.0.0.1:8766' }), '127.0.0.1', 8765)).toBe(false);
    // Bound to every interface any name goes, but never one that could write into the CSP.
    expect(hostAllowed(req({ host: 'box.lan:8765' }), '0.0.0.0', 8765)).toBe(true);
    expect(hostAllowed(req({ host: "x; script-src 'unsafe-inline'" }), '0.0.0.0', 8765)).toBe(false);
  });

  it("lets the page's own origin and token-bearing scripts in, and no other site", () => {
    const host = '127.0.0.1:8765';
    const own = 'http://127.0.0.1:8765';
    expect(crossSiteReason(req({ host, origin: own, 'sec-fetch-site': 'same-origin' }), 'cookie')).toBeNull();
    expect(crossSiteReason(req({ host }), 'header')).toBeNull();
    expect(crossSiteReason(req({ host }), 'query')).toBeNull();
    for (const origin of ['http://127.0.0.1:9999', 'http://localhost:8765', 'null', 'https://127.0.0.1:8765'])
      expect(crossSiteReason(req({ host, origin }), 'cookie'), origin).toMatch(/other sites/);
    expect(crossSiteReason(req({ host, origin: 'http://127.0.0.1:9999' }), 'header')).toMatch(/other sites/);
    expect(crossSiteReason(req({ host, origin: own, 'sec-fetch-site': 'same-site' }), 'cookie')).toMatch(
      /Sec-Fetch-Site/,
    );
    expect(crossSiteReason(req({ host }), 'cookie')).toMatch(/Authorization: Bearer/);
  });
});
