/**
 * A message body that carries the time it was *due* to be published, so the
 * receiver computes latency from the open-loop schedule (STYLE habit 8), not
 * from when a possibly stalled publisher got round to sending it.
 */
import { chatBody, type BodyKey, type BodyKind } from './chat-body.ts';

const SEPARATOR = ':';

/** `<due hrtime ns>:xxxx…`, padded to `bytes` (never shorter than the stamp itself). */
export function stampedBody(dueNs: bigint, bytes: number): string {
  const stamp = `${dueNs}${SEPARATOR}`;
  return stamp.length >= bytes ? stamp : stamp + 'x'.repeat(bytes - stamp.length);
}

/** A message's body of the run's kind (`--body`): filler (above) or chat-like (chat-body.ts), `bytes` long, due time first. */
export function messageBody(kind: BodyKind, dueNs: bigint, bytes: number, key: BodyKey): string {
  return kind === 'chat' ? chatBody(dueNs, bytes, key) : stampedBody(dueNs, bytes);
}

/** The due time carried by a body, or null for a body the bench did not make. */
export function dueTimeOf(body: string): bigint | null {
  const end = body.indexOf(SEPARATOR);
  if (end <= 0 || end > 24) return null;
  const digits = body.slice(0, end);
  return /^\d+$/.test(digits) ? BigInt(digits) : null;
}
