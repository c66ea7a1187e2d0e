/**
 * Finding 2: subscribe frames of 32 new rooms each, back to back on one
 * WebSocket. Unfixed, each frame costs O(all topics of the connection) and
 * nothing caps them; fixed, the connection's topic cap refuses the excess.
 */
import { MIB } from '../rss.ts';
import { equal, below } from '../checks.ts';
import type { Attack } from '../types.ts';
import { createSession, healthz } from '../wire.ts';
import { countAnswers, openWebSocket } from '../ws-wire.ts';

/** The error frame's code for a subscribe over the per-connection / per-session topic cap. */
export const SUBSCRIBE_CAP_REFUSAL = 'bad_request';
const FRAMES = 200;
const TOPICS_PER_FRAME = 32;
/** The flood's answers must all be in by then (a stalled server is a finding, not a hang). */
const ANSWER_LIMIT_MS = 60_000;

export const wsSubscribeFlood: Attack = {
  name: 'ws-subscribe-flood',
  finding: '2',
  tries: `${FRAMES} subscribe frames of ${TOPICS_PER_FRAME} new rooms on one WebSocket (${FRAMES * TOPICS_PER_FRAME} topics)`,
  refusalCodes: [SUBSCRIBE_CAP_REFUSAL],
  serverOptions: {},
  attendeeTransport: 'sse',
  rssBoundBytes: 96 * MIB,
  check: ({ facts }) => [
    ...equal(facts, 'healthzAfter', 200, '/healthz did not answer'),
    ...equal(facts, 'answered', FRAMES, 'not every subscribe frame was answered'),
    ...below(facts, 'topicsAccepted', FRAMES * TOPICS_PER_FRAME, 'no topic cap'),
  ],
  async run(target) {
    const attacker = await createSession(target.url, `flood-${process.pid}`);
    const ws = await openWebSocket(target.url, attacker);
    const done = countAnswers(ws, { refPrefix: 'f', expected: FRAMES, acceptedOp: 'subscribed', limitMs: ANSWER_LIMIT_MS });
    for (let frame = 0; frame < FRAMES; frame += 1) {
      const topics = Array.from({ length: TOPICS_PER_FRAME }, (_, n) => `room:flood-${frame}-${n}`);
      ws.send(JSON.stringify({ op: 'subscribe', topics, ref: `f${frame}` }));
    }
    const { answered, accepted: subscribed, refusals, closeCode } = await done;
    const healthzAfter = await healthz(target.url);
    ws.terminate();
    return {
      refusals,
      facts: { frames: FRAMES, answered, topicsAccepted: subscribed * TOPICS_PER_FRAME, topicsAsked: FRAMES * TOPICS_PER_FRAME, closeCode, healthzAfter },
    };
  },
};
