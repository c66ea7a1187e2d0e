import type { Message } from '../protocol/index.ts';

/**
 * UTF-8 length of a message's envelope JSON, measured once per message and shared
 * by every recipient's accounting (a live message is one object for all of them).
 */
const lengths = new WeakMap<Message, number>();

export function envelopeByteLength(message: Message, json: string): number {
  let length = lengths.get(message);
  if (length === undefined) {
    length = Buffer.byteLength(json);
    lengths.set(message, length);
  }
  return length;
}
