/**
 * Finding 8: a name's new holder reads the old holder's direct messages.
 * Alice gets a DM and goes idle; once her session lapses, the attacker
 * claims "alice" and polls her inbox with a backlog.
 */
import { MIB } from '../rss.ts';
import { equal } from '../checks.ts';
import type { Attack } from '../types.ts';
import { OBSERVER_ADDRESS, bearer, createSession, postJson, request, requestSession, until } from '../wire.ts';

/** A lapsed session: short, so that the attack waits a second, not 90. */
const SESSION_IDLE_MS = 1_000;

export const inboxInheritance: Attack = {
  name: 'inbox-inheritance',
  finding: '8',
  tries: 'claim an idle attendee\'s name and read the direct messages sent to its previous holder',
  refusalCodes: [],
  serverOptions: { sessionIdleMs: SESSION_IDLE_MS },
  attendeeTransport: 'sse',
  rssBoundBytes: 64 * MIB,
  check: ({ facts }) => [
    ...equal(facts, 'dmStatus', 201, 'the direct message was not sent'),
    // The name itself may pass on (that is what a lapse means); the inbox history may not.
    ...equal(facts, 'claimStatus', 201, 'the lapsed name could not be claimed'),
    ...equal(facts, 'readStatus', 200, 'the new holder could not poll its inbox'),
    ...equal(facts, 'inheritedMessages', 0, 'the new holder read the old holder\'s direct messages'),
  ],
  async run(target) {
    const aliceName = `alice-${process.pid}`;
    const alice = await createSession(target.url, aliceName, OBSERVER_ADDRESS);
    const bob = await createSession(target.url, `bob-${process.pid}`, OBSERVER_ADDRESS);
    const secret = `for alice only ${alice.token.slice(-12)}`;
    const sent = await postJson(target.url, '/api/messages', { topic: `user:${aliceName}`, body: secret }, { headers: bearer(bob), from: OBSERVER_ADDRESS });
    // Alice goes quiet; the name is free once her session lapses (each try is a real claim).
    const claimed = await until(() => requestSession(target.url, aliceName), (answer) => answer.status === 201, 100, 100);
    let readStatus = 0;
    let inherited = 0;
    if (claimed.status === 201) {
      const token = (JSON.parse(claimed.text) as { token: string }).token;
      const read = await request(target.url, `/api/poll?topics=user:${aliceName}&backlog=1000`, { headers: { authorization: `Bearer ${token}` } });
      readStatus = read.status;
      const messages = (JSON.parse(read.text) as { messages?: { body: string }[] }).messages ?? [];
      inherited = messages.filter((message) => message.body === secret).length;
    }
    return {
      refusals: {},
      facts: { dmStatus: sent.status, claimStatus: claimed.status, readStatus, inheritedMessages: inherited },
    };
  },
};
