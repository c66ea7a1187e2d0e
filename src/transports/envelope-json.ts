import type { Message } from '../protocol/index.ts';

/** A message's envelope JSON, and its UTF-8 length once something needed it. */
interface Encoded {
  readonly json: string;
  bytes: number | undefined;
}

/**
 * Encode once, for live and catch-up alike (STYLE habit 2). A message is one
 * object however it reaches a transport — the bus hands every live listener the
 * object it stored, and an in-memory history hands that same object to every
 * catch-up — so its envelope JSON is made on first use and shared by every
 * recipient on every transport, as is its byte length. A live message brings
 * the bus's own lazily made encoding (LiveMessage.json), so a message delivered
 * live and later caught up is still stringified once. Entries die with the
 * message (WeakMap): the cache holds nothing a history no longer holds.
 * (A networked adapter's reads are new objects per read: shared per read then.)
 */
const encoded = new WeakMap<Message, Encoded>();

/** The envelope JSON of `message`; `encode` makes it the first time (default `JSON.stringify`). */
export function envelopeJson(message: Message, encode?: () => string): string {
  return entryOf(message, encode).json;
}

/** UTF-8 length of the envelope JSON of `message`, measured once. */
export function envelopeBytes(message: Message): number {
  const entry = entryOf(message);
  entry.bytes ??= Buffer.byteLength(entry.json);
  return entry.bytes;
}

/**
 * The last message looked up: a fan-out asks for one message once per
 * recipient in a row, so a pointer comparison spares a WeakMap lookup each
 * (issue 12). Holds one message at most.
 */
let lastMessage: Message | undefined;
let lastEntry: Encoded | undefined;

function entryOf(message: Message, encode?: () => string): Encoded {
  if (message === lastMessage) return lastEntry as Encoded;
  let entry = encoded.get(message);
  if (entry === undefined) {
    entry = { json: encode ? encode() : JSON.stringify(message), bytes: undefined };
    encoded.set(message, entry);
  }
  lastMessage = message;
  lastEntry = entry;
  return entry;
}
