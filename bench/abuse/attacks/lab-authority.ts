/**
 * Finding 1: the lab's knobs answer to anyone, and the wire inspector shows a
 * pane's token. An attendee with no session and a foreign Origin turns every
 * knob; then a pane (a victim with a session) polls through its proxy and the
 * attendee reads the inspector.
 */
import { MIB } from '../rss.ts';
import { equal } from '../checks.ts';
import type { Attack } from '../types.ts';
import { OBSERVER_ADDRESS, createSession, postJson, request, tally } from '../wire.ts';

/** What a knob answers someone without the instructor's authority (PROTOCOL § Errors). */
export const KNOB_REFUSAL = 'forbidden';
const FOREIGN_ORIGIN = 'http://evil.example';
const KNOBS: { path: string; body: unknown }[] = [
  { path: '/api/lab/network', body: { oneWayDelayMs: 2000 } },
  { path: '/api/lab/network/drop', body: {} },
  { path: '/api/lab/background', body: { count: 100 } },
];

export const labAuthority: Attack = {
  name: 'lab-knobs',
  finding: '1',
  tries: 'turn the lab knobs (delay, drop, 100 background clients) with no session from a foreign Origin; read a pane\'s token from the wire inspector',
  refusalCodes: [KNOB_REFUSAL],
  // A class: the server listens for everyone, so loopback is nobody's authority (the fix's lab option).
  serverOptions: { lab: { loopbackIsInstructor: false } },
  attendeeTransport: 'sse',
  rssBoundBytes: 64 * MIB,
  check: ({ facts }) => [
    ...equal(facts, 'knobsTurned', 0, 'a stranger turned a knob'),
    ...equal(facts, 'delayAfterMs', 0, 'the delay changed'),
    ...equal(facts, 'backgroundAfter', 0, 'background clients started'),
    ...equal(facts, 'panesListed', true, 'the knobs are no longer readable'),
    ...equal(facts, 'wireLeaksToken', false, 'the wire inspector shows a pane\'s token'),
  ],
  async run(target) {
    const refusals: Record<string, number> = {};
    let knobsTurned = 0;
    for (const knob of KNOBS) {
      for (const origin of [FOREIGN_ORIGIN, undefined]) {
        const answer = await postJson(target.url, knob.path, knob.body, { headers: origin ? { origin } : {} });
        if (answer.status < 300) knobsTurned += 1;
        tally(refusals, answer.code);
      }
    }
    const network = JSON.parse((await request(target.url, '/api/lab/network', { from: OBSERVER_ADDRESS })).text) as {
      oneWayDelayMs: number; panes: Record<string, string>;
    };
    const background = JSON.parse((await request(target.url, '/api/lab/background', { from: OBSERVER_ADDRESS })).text) as { count: number };
    // Whatever got through is undone, so the rest of the run is not measured under it.
    if (background.count > 0 || network.oneWayDelayMs > 0) {
      await postJson(target.url, '/api/lab/background', { count: 0 }, { from: OBSERVER_ADDRESS });
      await postJson(target.url, '/api/lab/network', { oneWayDelayMs: 0 }, { from: OBSERVER_ADDRESS });
    }

    // A pane: a session and a poll through the poll pane's proxy, with its token as header and cookie.
    const pane = network.panes?.poll;
    let wireStatus = 0;
    let wireLeaksToken = false;
    if (pane) {
      const victim = await createSession(pane, `pane-${process.pid}`, OBSERVER_ADDRESS);
      await request(pane, '/api/poll?topics=room:lab', {
        headers: { authorization: `Bearer ${victim.token}`, cookie: victim.cookie },
        from: OBSERVER_ADDRESS,
      });
      // Asked with no session, and with a session of the attacker's own.
      const attacker = await createSession(target.url, `snoop-${process.pid}`);
      const anonymous = await request(target.url, '/api/lab/wire/poll');
      const asSomeone = await request(target.url, '/api/lab/wire/poll', { headers: { authorization: `Bearer ${attacker.token}` } });
      wireStatus = asSomeone.status;
      wireLeaksToken = leaks(anonymous.text, victim.token) || leaks(asSomeone.text, victim.token);
    }
    return {
      refusals,
      facts: {
        knobAttempts: KNOBS.length * 2,
        knobsTurned,
        delayAfterMs: network.oneWayDelayMs,
        backgroundAfter: background.count,
        panesListed: Boolean(pane),
        wireStatus,
        wireLeaksToken,
      },
    };
  },
};

/** Whether `secret` appears in `text` or in any base64 field inside it (the inspector sends bytes as base64). */
function leaks(text: string, secret: string): boolean {
  if (text.includes(secret)) return true;
  for (const match of text.matchAll(/"base64":"([A-Za-z0-9+/=]*)"/g)) {
    if (Buffer.from(match[1], 'base64').toString('latin1').includes(secret)) return true;
  }
  return false;
}
