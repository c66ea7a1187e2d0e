/**
 * Finding 10, login CSRF: another site's form posts `text/plain` to
 * /api/session (no CORS preflight for that) and the browser stores the
 * cookie it gets back. The server must refuse it and set no cookie.
 */
import { MIB } from '../rss.ts';
import { equal } from '../checks.ts';
import type { Attack } from '../types.ts';
import { request, tally } from '../wire.ts';

/** What a cross-site, non-JSON session request may get: refused for its Origin or for its type. */
export const LOGIN_CSRF_REFUSALS = ['forbidden', 'bad_request'];

export const loginCsrf: Attack = {
  name: 'login-csrf',
  finding: '10',
  tries: 'POST /api/session as text/plain from a foreign Origin (a form on another site)',
  refusalCodes: LOGIN_CSRF_REFUSALS,
  serverOptions: {},
  attendeeTransport: 'sse',
  rssBoundBytes: 64 * MIB,
  check: ({ facts }) => equal(facts, 'cookiesSet', 0, 'a cross-site request got a session cookie'),
  async run(target) {
    const refusals: Record<string, number> = {};
    let cookiesSet = 0;
    const variants: Record<string, string>[] = [
      { 'content-type': 'text/plain', origin: 'http://evil.example' },
      { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
      { 'content-type': 'application/json', origin: 'http://evil.example' },
    ];
    for (const [n, headers] of variants.entries()) {
      const answer = await request(target.url, '/api/session', {
        method: 'POST', headers, body: JSON.stringify({ name: `csrf-${process.pid}-${n}` }),
      });
      tally(refusals, answer.code ?? answer.status);
      if (answer.headers['set-cookie']) cookiesSet += 1;
    }
    return { refusals, facts: { attempts: variants.length, cookiesSet } };
  },
};
