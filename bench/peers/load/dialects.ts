/**
 * How a load client speaks to each WebSocket server: the lab's frames
 * (our server and the raw `ws` reference share them) or socket.io's packets
 * (engine.io v4: `0` open, `40` connect, `42` event, `43` ack, `2`/`3` ping/pong).
 * Payloads are recognised by a byte marker, not parsed, to keep the client cheap.
 */

export type WsDialectName = 'lab' | 'socket.io';

export interface WsDialect {
  path(token: string): string;
  /** Frames to wait for and the answer to send, before subscribing. */
  handshake: { waitForPrefix: string; reply: string | null }[];
  subscribeFrame(topic: string): string;
  isSubscribed(payload: Buffer): boolean;
  publishFrame(topic: string, body: string, id: string, ref: number): string;
  /** The ref of an ack frame, or -1 when the payload is not an ack. */
  ackRef(payload: Buffer): number;
  isError(payload: Buffer): boolean;
  /** Bytes present in a delivered message and nowhere else. */
  deliveryMarker: Buffer;
  /** An answer the protocol requires (socket.io's pong), or null. */
  autoReply(payload: Buffer): string | null;
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

const lab: WsDialect = {
  path: (token) => `/ws?token=${encodeURIComponent(token)}`,
  handshake: [],
  subscribeFrame: (topic) => JSON.stringify({ op: 'subscribe', topics: [topic], ref: 's' }),
  isSubscribed: (payload) => payload.indexOf(LAB_SUBSCRIBED) !== -1,
  publishFrame: (topic, body, id, ref) => JSON.stringify({ op: 'publish', topic, body, id, ref: String(ref) }),
  ackRef: (payload) => (payload.indexOf(LAB_ACK) === -1 ? -1 : labRef(payload)),
  isError: (payload) => payload.indexOf(LAB_ERROR) !== -1,
  deliveryMarker: Buffer.from('"op":"message"'),
  autoReply: () => null,
};

const ENGINE_PING = 0x32; // engine.io packet type 2
const socketIo: WsDialect = {
  path: (token) => `/socket.io/?EIO=4&transport=websocket&token=${encodeURIComponent(token)}`,
  handshake: [
    { waitForPrefix: '0', reply: '40' },
    { waitForPrefix: '40', reply: null },
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

export const WS_DIALECTS: Readonly<Record<WsDialectName, WsDialect>> = { lab, 'socket.io': socketIo };

/** The marker that carries a message's scheduled send time (µs, monotonic) inside its body. */
export const STAMP = '@@t=';
const STAMP_BYTES = Buffer.from(STAMP);

/** A body of exactly `bytes` bytes (when `bytes` allows) that starts with the stamp. */
export function stampedBody(scheduledMicros: number, bytes: number): string {
  const head = `${STAMP}${scheduledMicros}@`;
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
