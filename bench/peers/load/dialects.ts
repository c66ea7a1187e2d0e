/**
 * How a load client speaks to each WebSocket server: the lab's frames (our
 * server and the raw `ws` reference share them), socket.io's packets
 * (engine.io v4: `0` open, `40` connect, `42` event, `43` ack, `2`/`3`
 * ping/pong), Faye's Bayeux messages (JSON arrays; a client id from the
 * handshake; `/meta/connect` re-sent whenever it is answered) and SockJS's
 * framing (`o` open, `a[…]` messages, `h` heartbeat; the lab's frames inside
 * as JSON strings). Payloads are recognised by byte markers, not parsed, to
 * keep the client cheap.
 */

export type WsDialectName = 'lab' | 'socket.io' | 'faye' | 'sockjs';

/** One step of a handshake: the payload to wait for, what to answer, and the session id it carries. */
export interface HandshakeStep {
  waitFor(payload: Buffer): boolean;
  reply: ((session: string | null) => string) | null;
  /** The client id the server handed out in this payload (Bayeux), kept for later frames. */
  session?: (payload: Buffer) => string | null;
}

export interface WsDialect {
  path(token: string): string;
  /** The first frame the client sends after the upgrade (Bayeux's handshake), or null. */
  opening: string | null;
  /** Frames to wait for and the answer to send, before subscribing. */
  handshake: HandshakeStep[];
  subscribeFrame(topic: string, session: string | null): string;
  isSubscribed(payload: Buffer): boolean;
  publishFrame(topic: string, body: string, id: string, ref: number, session: string | null): string;
  /** The ref of an ack frame, or -1 when the payload is not an ack. */
  ackRef(payload: Buffer): number;
  isError(payload: Buffer): boolean;
  /** Bytes present in a delivered message and nowhere else. */
  deliveryMarker: Buffer;
  /** An answer the protocol requires (socket.io's pong, Bayeux's next connect), or null. */
  autoReply(payload: Buffer, session: string | null): string | null;
}

const LAB_ACK = Buffer.from('"op":"ack"');
const LAB_ERROR = Buffer.from('"op":"error"');
const LAB_SUBSCRIBED = Buffer.from('"op":"subscribed"');

/** The ref of a lab frame: `"ref":"<digits>"`. */
function labRef(payload: Buffer): number {
  const at = payload.indexOf('"ref":"');
  if (at === -1) return -1;
  return parseDigits(payload, at + 7);
}

export function parseDigits(payload: Buffer, from: number): number {
  let value = 0;
  let i = from;
  for (; i < payload.length; i += 1) {
    const byte = payload[i];
    if (byte < 0x30 || byte > 0x39) break;
    value = value * 10 + (byte - 0x30);
  }
  return i === from ? -1 : value;
}

const labSubscribe = (topic: string): string => JSON.stringify({ op: 'subscribe', topics: [topic], ref: 's' });
const labPublish = (topic: string, body: string, id: string, ref: number): string => JSON.stringify({ op: 'publish', topic, body, id, ref: String(ref) });

const lab: WsDialect = {
  path: (token) => `/ws?token=${encodeURIComponent(token)}`,
  opening: null,
  handshake: [],
  subscribeFrame: labSubscribe,
  isSubscribed: (payload) => payload.indexOf(LAB_SUBSCRIBED) !== -1,
  publishFrame: labPublish,
  ackRef: (payload) => (payload.indexOf(LAB_ACK) === -1 ? -1 : labRef(payload)),
  isError: (payload) => payload.indexOf(LAB_ERROR) !== -1,
  deliveryMarker: Buffer.from('"op":"message"'),
  autoReply: () => null,
};

const ENGINE_PING = 0x32; // engine.io packet type 2
const prefixed = (prefix: string) => (payload: Buffer): boolean => payload.toString('latin1', 0, prefix.length) === prefix;
const socketIo: WsDialect = {
  path: (token) => `/socket.io/?EIO=4&transport=websocket&token=${encodeURIComponent(token)}`,
  opening: null,
  handshake: [
    { waitFor: prefixed('0'), reply: () => '40' },
    { waitFor: prefixed('40'), reply: null },
  ],
  // Ack id 0 is reserved for the subscribe: its answer is `430[…]`.
  subscribeFrame: (topic) => `420${JSON.stringify(['subscribe', [topic]])}`,
  isSubscribed: (payload) => payload.length > 3 && payload[0] === 0x34 && payload[1] === 0x33 && payload[2] === 0x30 && payload[3] === 0x5b,
  publishFrame: (topic, body, id, ref) => `42${ref}${JSON.stringify(['publish', { topic, body, id }])}`,
  ackRef: (payload) => (payload.length > 2 && payload[0] === 0x34 && payload[1] === 0x33 ? parseDigits(payload, 2) : -1),
  isError: (payload) => payload.length > 1 && payload[0] === 0x34 && payload[1] === 0x34,
  deliveryMarker: Buffer.from('42["message"'),
  autoReply: (payload) => (payload.length === 1 && payload[0] === ENGINE_PING ? '3' : null),
};

/** Bayeux channel of a lab topic: `room:a` → `/room/a` (a channel segment has no colon). */
export function bayeuxChannel(topic: string): string {
  return `/${topic.replace(/:/g, '/')}`;
}

const BAYEUX_CONNECT = Buffer.from('"/meta/connect"');
const BAYEUX_SUBSCRIBE = Buffer.from('"/meta/subscribe"');
const BAYEUX_OK = Buffer.from('"successful":true');
const BAYEUX_FAILED = Buffer.from('"successful":false');
const BAYEUX_ID = Buffer.from('"id":"');
const bayeuxConnect = (session: string | null): string =>
  JSON.stringify([{ channel: '/meta/connect', clientId: session, connectionType: 'websocket', id: 'c' }]);

const faye: WsDialect = {
  path: () => '/faye',
  opening: JSON.stringify([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['websocket'], id: 'h' }]),
  handshake: [{
    waitFor: (payload) => payload.indexOf('"/meta/handshake"') !== -1 && payload.indexOf(BAYEUX_OK) !== -1,
    // The connect attaches this socket to the client id: deliveries flow once it is in.
    reply: bayeuxConnect,
    session: (payload) => /"clientId":"([^"]+)"/.exec(payload.toString('utf8'))?.[1] ?? null,
  }],
  subscribeFrame: (topic, session) => JSON.stringify([{ channel: '/meta/subscribe', clientId: session, subscription: bayeuxChannel(topic), id: 's' }]),
  isSubscribed: (payload) => payload.indexOf(BAYEUX_SUBSCRIBE) !== -1 && payload.indexOf(BAYEUX_OK) !== -1,
  publishFrame: (topic, body, id, ref, session) => JSON.stringify([{ channel: bayeuxChannel(topic), data: { topic, body, id }, clientId: session, id: String(ref) }]),
  ackRef: (payload) => {
    if (payload.indexOf(BAYEUX_OK) === -1 || payload.indexOf('"/meta/') !== -1) return -1;
    const at = payload.indexOf(BAYEUX_ID);
    return at === -1 ? -1 : parseDigits(payload, at + BAYEUX_ID.length);
  },
  isError: (payload) => payload.indexOf(BAYEUX_FAILED) !== -1,
  deliveryMarker: Buffer.from('"data":{'),
  // Faye answers a connect when its timeout runs out: the client connects again at once.
  autoReply: (payload, session) => (payload.indexOf(BAYEUX_CONNECT) !== -1 ? bayeuxConnect(session) : null),
};

/** SockJS session ids are the client's to choose; eight random characters each. */
function sockjsSession(): string {
  return Math.random().toString(36).slice(2, 10).padEnd(8, '0');
}

/** A lab frame as one SockJS client message: a JSON array of strings. */
const sockjsWrap = (frame: string): string => JSON.stringify([frame]);
const SOCKJS_ACK = Buffer.from('\\"op\\":\\"ack\\"');
const SOCKJS_REF = Buffer.from('\\"ref\\":\\"');

const sockjs: WsDialect = {
  path: () => `/sockjs/000/${sockjsSession()}/websocket`,
  opening: null,
  handshake: [{ waitFor: (payload) => payload.length === 1 && payload[0] === 0x6f, reply: null }],
  subscribeFrame: (topic) => sockjsWrap(labSubscribe(topic)),
  isSubscribed: (payload) => payload.indexOf('\\"op\\":\\"subscribed\\"') !== -1,
  publishFrame: (topic, body, id, ref) => sockjsWrap(labPublish(topic, body, id, ref)),
  ackRef: (payload) => {
    if (payload.indexOf(SOCKJS_ACK) === -1) return -1;
    const at = payload.indexOf(SOCKJS_REF);
    return at === -1 ? -1 : parseDigits(payload, at + SOCKJS_REF.length);
  },
  isError: (payload) => payload.indexOf('\\"op\\":\\"error\\"') !== -1 || (payload.length > 0 && payload[0] === 0x63),
  deliveryMarker: Buffer.from('\\"op\\":\\"message\\"'),
  autoReply: () => null,
};

export const WS_DIALECTS: Readonly<Record<WsDialectName, WsDialect>> = { lab, 'socket.io': socketIo, faye, sockjs };

/** The marker that carries a message's scheduled send time (µs, monotonic) inside its body. */
export const STAMP = '@@t=';
const STAMP_BYTES = Buffer.from(STAMP);

/**
 * A body of exactly `bytes` bytes (when `bytes` allows) that starts with the
 * stamp and the message's index in its round (`@@t=<µs>@n=<index>@`), so that
 * every subscriber can check order as well as count. Only `[@=0-9x]`: the
 * body reads the same inside any peer's framing (JSON, SSE, SockJS's nested JSON).
 */
export function stampedBody(scheduledMicros: number, bytes: number, index = 0): string {
  const head = `${STAMP}${scheduledMicros}@n=${index}@`;
  return head.length >= bytes ? head : head + 'x'.repeat(bytes - head.length);
}

/** The scheduled time stamped in a payload, or -1. */
export function readStamp(payload: Buffer): number {
  const at = payload.indexOf(STAMP_BYTES);
  return at === -1 ? -1 : parseDigits(payload, at + STAMP_BYTES.length);
}

/** Monotonic microseconds, comparable across processes of one machine. */
export function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
