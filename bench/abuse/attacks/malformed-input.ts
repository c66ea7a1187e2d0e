/**
 * Finding 9: malformed input answered 500 with a stack trace in the log each
 * time. Each case here is a client's mistake: it must be a 4xx with a code,
 * and the server's log must carry no stack for it.
 */
import { MIB } from '../rss.ts';
import { equal } from '../checks.ts';
import type { Attack } from '../types.ts';
import { createSession, request, tally } from '../wire.ts';

/**
 * The codes each case may be answered with. The lab knobs may refuse a
 * stranger (finding 1) before they read the body, so `forbidden` is fine there.
 */
export const MALFORMED_EXPECTED: Record<string, string[]> = {
  'results file name': ['bad_request'],
  'session cookie': ['bad_request', 'unauthorized'],
  'lab knob, bad JSON': ['bad_request', 'forbidden'],
  'lab knob, > 4 KB body': ['payload_too_large', 'forbidden'],
  'session, bad JSON': ['bad_request'],
};
/** A line of a stack trace in the server's output. */
const STACK_LINE = /^\s+at /m;

export const malformedInput: Attack = {
  name: 'malformed-input',
  finding: '9',
  tries: 'bad percent-encoding in a path and a cookie, bad JSON and oversized bodies on lab routes',
  refusalCodes: [...new Set(Object.values(MALFORMED_EXPECTED).flat())],
  serverOptions: {},
  attendeeTransport: 'sse',
  rssBoundBytes: 64 * MIB,
  check: ({ facts }) => [
    ...Object.entries(MALFORMED_EXPECTED).flatMap(([name, codes]) => {
      const [status, code] = String(facts[name]).split(' ');
      return Number(status) >= 400 && Number(status) < 500 && codes.includes(code) ? [] : [`${name}: ${String(facts[name])}, expected 4xx ${codes.join(' / ')}`];
    }),
    ...equal(facts, 'serverErrors', 0, 'malformed input got a 5xx'),
    ...equal(facts, 'stackInLog', false, 'a client\'s error logged a stack trace'),
    ...equal(facts, 'sessionStillWorks', true, 'a session stopped working'),
  ],
  async run(target) {
    const someone = await createSession(target.url, `malformed-${process.pid}`);
    const json = { 'content-type': 'application/json' };
    const cases: Record<string, Promise<{ status: number; code: string | undefined }>> = {
      'results file name': request(target.url, '/api/lab/results/%E0%A4%A'),
      'session cookie': request(target.url, '/api/poll?topics=room:lobby', { headers: { cookie: 'lab_session=%E0%A4%A' } }),
      'lab knob, bad JSON': request(target.url, '/api/lab/network', { method: 'POST', headers: json, body: '{"oneWayDelayMs":' }),
      'lab knob, > 4 KB body': request(target.url, '/api/lab/network', {
        method: 'POST', headers: json, body: JSON.stringify({ oneWayDelayMs: 0, pad: 'p'.repeat(5000) }),
      }),
      'session, bad JSON': request(target.url, '/api/session', { method: 'POST', headers: json, body: '{"name":' }),
    };
    const refusals: Record<string, number> = {};
    const facts: Record<string, number | boolean | string> = { stackInLog: false };
    let serverErrors = 0;
    for (const [name, pending] of Object.entries(cases)) {
      const answer = await pending;
      tally(refusals, answer.code);
      facts[name] = `${answer.status} ${answer.code ?? '-'}`;
      if (answer.status >= 500) serverErrors += 1;
    }
    facts.serverErrors = serverErrors;
    facts.stackInLog = STACK_LINE.test(target.output());
    facts.sessionStillWorks = (await request(target.url, '/api/poll?topics=room:lobby', {
      headers: { authorization: `Bearer ${someone.token}` },
    })).status === 200;
    return { refusals, facts };
  },
};
