/**
 * Finding 5: one message to each of many distinct rooms. Unfixed, every topic
 * stays for ever and costs ~8.5 KB that the history's byte cap never counts;
 * fixed, topics are counted as they cost, capped, and idle ones evicted.
 */
import { LIFTED_PUBLISH_LIMITS } from '../lifted.ts';
import { MIB } from '../rss.ts';
import { equal, below } from '../checks.ts';
import type { Attack } from '../types.ts';
import { createSession, stats } from '../wire.ts';
import { countAnswers, openWebSocket } from '../ws-wire.ts';

/**
 * What a publish to a new room may answer once the server holds its maximum of
 * topics and cannot evict one (every topic subscribed); idle topics are evicted
 * instead, so the attacker need not be refused at all. A per-address publish
 * limit is a fair answer too.
 */
export const TOPIC_CAP_REFUSALS = ['unavailable', 'rate_limited'];
const ROOMS = 30_000;
/** Publishes in flight at once on the one WebSocket. */
const WINDOW = 256;
const ANSWER_LIMIT_MS = 120_000;

export const manyRooms: Attack = {
  name: 'many-rooms',
  finding: '5',
  tries: `one message to each of ${ROOMS.toLocaleString('en-US')} distinct rooms over one WebSocket`,
  refusalCodes: [],
  serverOptions: LIFTED_PUBLISH_LIMITS,
  attendeeTransport: 'sse',
  // Unfixed, 30,000 topics are ~250 MiB.
  rssBoundBytes: 128 * MIB,
  check: ({ facts }) => [
    ...equal(facts, 'answered', ROOMS, 'not every publish was answered'),
    ...below(facts, 'topicsHeld', ROOMS, 'every topic is kept'),
  ],
  checkRefusals: (refusals) => Object.keys(refusals).filter((code) => !TOPIC_CAP_REFUSALS.includes(code))
    .map((code) => `a publish was refused with ${code}, not ${TOPIC_CAP_REFUSALS.join(' / ')}`),
  async run(target) {
    const attacker = await createSession(target.url, `rooms-${process.pid}`);
    const ws = await openWebSocket(target.url, attacker);
    let sent = 0;
    const sendMore = (answered: number): void => {
      while (sent < ROOMS && sent - answered < WINDOW) {
        ws.send(JSON.stringify({ op: 'publish', topic: `room:r${sent}`, body: 'x', ref: `p${sent}` }));
        sent += 1;
      }
    };
    const counting = countAnswers(ws, {
      refPrefix: 'p', expected: ROOMS, acceptedOp: 'ack', limitMs: ANSWER_LIMIT_MS, onAnswer: ({ answered }) => sendMore(answered),
    });
    sendMore(0);
    const { answered, accepted, refusals, closeCode } = await counting;
    ws.terminate();
    const bus = (await stats(target.url)).bus;
    return {
      refusals,
      facts: { rooms: ROOMS, answered, accepted, closeCode, topicsHeld: bus.topics, historyBytes: bus.historyBytes },
    };
  },
};
