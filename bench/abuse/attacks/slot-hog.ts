/**
 * Finding 6: one attendee, from one address, opens event streams (16 per
 * session, over as many sessions as it takes) until the server's held-request
 * slots are gone, then leaves a thousand requests half-sent. Unfixed, everyone
 * else's long polls and streams get 503 and then every request does, /healthz
 * included; fixed, per-session and per-address limits refuse the attacker long
 * before the server is full.
 */
import type net from 'node:net';
import { MIB } from '../rss.ts';
import { equal, below } from '../checks.ts';
import type { Attack } from '../types.ts';
import { bearer, connect, createSession, healthz, openRaw, request, requestHead, tally } from '../wire.ts';

/** An attendee who arrives once the attacker holds its slots: everyone else in the room. */
const LATECOMER_ADDRESS = '127.0.0.4';

/** What the attacker's stream or request over its share gets (PROTOCOL § Errors). */
export const SLOT_REFUSAL = 'too_many_connections';
/**
 * The global limits, lowered so that one test can reach them but kept above
 * the fix's per-address defaults (maxHeldPerAddress 500, maxSocketsPerAddress
 * 1,000, maxUnfinishedRequestsPerAddress 200), which must refuse the attacker first.
 */
export const SLOT_LIMITS = { maxConnections: 1_200, maxHeldRequests: 600 };
const STREAMS = SLOT_LIMITS.maxHeldRequests + 50;
/** Streams per session: the fix's maxHeldPerSession; the attacker opens a new session for each 16. */
const STREAMS_PER_SESSION = 16;
const HALF_SENT = SLOT_LIMITS.maxConnections + 50;

export const slotHog: Attack = {
  name: 'slot-hog',
  finding: '6',
  tries: `${STREAMS} event streams (${STREAMS_PER_SESSION} per session), then ${HALF_SENT} half-sent requests, all from one address`,
  refusalCodes: [SLOT_REFUSAL],
  serverOptions: { ...SLOT_LIMITS },
  attendeeTransport: 'longpoll',
  rssBoundBytes: 96 * MIB,
  check: ({ facts }) => [
    ...below(facts, 'streamsOpened', SLOT_LIMITS.maxHeldRequests, 'the attacker got every held slot'),
    ...equal(facts, 'healthzAfterStreams', 200, '/healthz refused under the streams'),
    ...equal(facts, 'latecomerStreamStatus', 200, 'an attendee arriving later was refused a stream'),
    ...equal(facts, 'healthzAfterHalfSent', 200, '/healthz refused under half-sent requests'),
    ...equal(facts, 'latecomerPollAfterHalfSent', 200, 'an attendee arriving later was refused a poll'),
  ],
  async run(target) {
    const sessions = [];
    for (let n = 0; n < Math.ceil(STREAMS / STREAMS_PER_SESSION); n += 1) {
      const session = await createSession(target.url, `hog-${process.pid}-${n}`).catch(() => undefined);
      if (session) sessions.push(session);
    }
    const refusals: Record<string, number> = {};
    const sockets: net.Socket[] = [];
    let streamsOpened = 0;
    for (let n = 0; n < STREAMS; n += 1) {
      const attacker = sessions[Math.floor(n / STREAMS_PER_SESSION) % sessions.length];
      const opened = await openRaw(target.url, requestHead(`/api/events?topics=room:hog-${n % 32}`, attacker, { accept: 'text/event-stream' }));
      opened.socket.resume();
      sockets.push(opened.socket);
      if (opened.status === 200) streamsOpened += 1;
      else tally(refusals, codeOf(opened.text));
    }
    const healthzAfterStreams = await healthz(target.url);
    const latecomer = await latecomerArrives(target.url);
    let halfSentConnected = 0;
    const halfSentAnswers: Record<string, number> = {};
    for (let n = 0; n < HALF_SENT; n += 1) {
      const socket = await connect(target.url).catch(() => undefined);
      if (!socket) continue;
      halfSentConnected += 1;
      socket.on('data', (chunk: Buffer) => {
        // Whatever the server says to a request it will not wait for (503, 408): counted apart, not judged.
        if (chunk.toString('latin1').startsWith('HTTP/1.1 ')) tally(halfSentAnswers, codeOf(chunk.toString('latin1')));
      });
      socket.write('GET /healthz HTTP/1.1\r\nhost: lab\r\n');
      sockets.push(socket);
    }
    const healthzAfterHalfSent = await healthz(target.url);
    const latecomerPollAfterHalfSent = await request(target.url, '/api/poll?topics=room:late', { headers: bearer(latecomer.credentials), from: LATECOMER_ADDRESS })
      .then((answer) => answer.status, () => 0);
    latecomer.stream.destroy();
    for (const socket of sockets) socket.destroy();
    return {
      refusals,
      facts: {
        streams: STREAMS,
        streamsOpened,
        halfSent: HALF_SENT,
        sessions: sessions.length,
        halfSentConnected,
        halfSentAnswered: Object.values(halfSentAnswers).reduce((sum, count) => sum + count, 0),
        healthzAfterStreams,
        latecomerStreamStatus: latecomer.streamStatus,
        healthzAfterHalfSent,
        latecomerPollAfterHalfSent,
      },
    };
  },
};

/** The error code in a raw HTTP answer's JSON body (or its status line when there is none). */
function codeOf(raw: string): string {
  const match = /"code":"([a-z_]+)"/.exec(raw);
  return match ? match[1] : raw.slice(9, 12) || 'closed';
}

/** Someone who joins while the attacker holds its slots: a session and an event stream of their own. */
async function latecomerArrives(url: string): Promise<{ credentials: Awaited<ReturnType<typeof createSession>>; stream: net.Socket; streamStatus: number }> {
  const credentials = await createSession(url, `late-${process.pid}`, LATECOMER_ADDRESS);
  const opened = await openRaw(url, requestHead('/api/events?topics=room:late', credentials, { accept: 'text/event-stream' }), LATECOMER_ADDRESS);
  opened.socket.resume();
  return { credentials, stream: opened.socket, streamStatus: opened.status };
}
