/**
 * Finding 7: limits that reset for free. Fresh sessions each spend a fresh
 * publish burst; then names are claimed by the hundred from one address.
 * Unfixed, 50 sessions publish 50 × 40 messages at once and every name is
 * granted; fixed, publishing and session creation are limited per address too.
 */
import { MIB } from '../rss.ts';
import { atMost, below } from '../checks.ts';
import type { Attack } from '../types.ts';
import { createSession, inWaves, publishMany, requestSession, tally, type Credentials } from '../wire.ts';

/** What a publish or a session over the address's allowance gets. */
export const RESET_REFUSAL = 'rate_limited';
/**
 * The most publishes one address may get accepted here: the fix's per-address
 * burst (publishBurstPerAddress, 200) plus its rate (100/s) over the few
 * seconds the burst takes on a loaded machine — not 50 sessions' worth (2,000).
 */
export const PER_ADDRESS_PUBLISH_MAX = 200 + 4 * 100;
const SESSIONS = 50;
const PUBLISHES_PER_SESSION = 40;
const NAMES = 300;

export const rateLimitReset: Attack = {
  name: 'rate-limit-reset',
  finding: '7',
  tries: `${SESSIONS} fresh sessions × ${PUBLISHES_PER_SESSION} publishes at once, then ${NAMES} names claimed, from one address`,
  refusalCodes: [RESET_REFUSAL],
  serverOptions: {},
  attendeeTransport: 'sse',
  rssBoundBytes: 64 * MIB,
  check: ({ facts }) => [
    ...atMost(facts, 'published', PER_ADDRESS_PUBLISH_MAX, 'fresh sessions reset the publish limit'),
    ...below(facts, 'namesGranted', NAMES, 'session creation is not limited per address'),
  ],
  async run(target) {
    const refusals: Record<string, number> = {};
    const sessions: Credentials[] = [];
    let sessionsRefused = 0;
    for (let n = 0; n < SESSIONS; n += 1) {
      try {
        sessions.push(await createSession(target.url, `reset-${process.pid}-${n}`));
      } catch {
        sessionsRefused += 1;
      }
    }
    let published = 0;
    await Promise.all(sessions.map(async (session) => {
      const answers = await publishMany(target.url, session, PUBLISHES_PER_SESSION, () => ({ topic: 'room:reset', body: 'spam' }), { width: 2 });
      for (const [code, count] of Object.entries(answers)) {
        if (code === '201') published += count;
        else refusals[code] = (refusals[code] ?? 0) + count;
      }
    }));
    let namesGranted = 0;
    await inWaves(NAMES, 8, async (n) => {
      const answer = await requestSession(target.url, `squat-${process.pid}-${n}`);
      if (answer.status === 201) namesGranted += 1;
      else tally(refusals, answer.code ?? answer.status);
    });
    return {
      refusals,
      facts: {
        sessions: SESSIONS,
        sessionsGranted: sessions.length,
        sessionsRefused,
        publishesTried: sessions.length * PUBLISHES_PER_SESSION,
        published,
        namesTried: NAMES,
        namesGranted,
      },
    };
  },
};
