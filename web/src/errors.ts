/**
 * Turns a failure into a sentence a person can act on. Codes come from
 * src/protocol/errors.ts; the server's own message is kept as the detail.
 */
import { NAME_PATTERN, isErrorCode } from '../../src/protocol/index.ts';
import type { ErrorCode } from '../../src/protocol/index.ts';

const SENTENCES: Record<ErrorCode, string> = {
  bad_request: 'The server did not accept that request',
  unauthorized: 'Your session is no longer valid: connect again',
  forbidden: 'That is not allowed for your session',
  unknown_user: 'Nobody with that name has ever been here',
  name_taken: 'That name is taken by someone online right now: pick another one',
  payload_too_large: 'That message is too long for the server',
  rate_limited: 'You are sending faster than the server allows: wait a moment and try again',
  too_many_connections: 'The server is full right now: try again shortly',
  slow_consumer: 'The connection fell too far behind and was closed',
  shutting_down: 'The server is stopping or restarting: the page reconnects by itself when it is back',
  not_found: 'The server has no such page or file',
  unavailable: 'The server cannot reach its message store right now: try again shortly',
  internal: 'The server failed on its side: the instructor can see the log',
};

export function errorCode(error: unknown): ErrorCode | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return isErrorCode(code) ? code : undefined;
}

/** A request that got no answer at all (the client's NetworkError): the server is away, or the network. */
function isNetworkError(error: unknown): boolean {
  return error instanceof Error && error.name === 'NetworkError';
}

/** Codes that say "the server is away or busy for now": a recovery makes them stale. */
const CONNECTION_CODES = new Set<ErrorCode>(['shutting_down', 'too_many_connections', 'unavailable', 'slow_consumer']);

/** True when the failure is about reaching the server, not about what was asked. */
export function isConnectionProblem(error: unknown): boolean {
  const code = errorCode(error);
  return isNetworkError(error) || (code !== undefined && CONNECTION_CODES.has(code));
}

export function describeError(error: unknown): string {
  const code = errorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (isNetworkError(error)) {
    return `The server could not be reached (it may be restarting, or the network dropped): nothing was lost, and the page keeps trying. (${detail})`;
  }
  if (!code) return detail || 'Something went wrong';
  const retry = (error as { retryAfter?: unknown }).retryAfter;
  const wait = typeof retry === 'number' ? ` (retry in ${retry} s)` : '';
  return `${SENTENCES[code]}${wait}. ${detail}`.trim();
}

const NAME_CHARACTERS = /[A-Za-z0-9_.-]/;

/**
 * What is wrong with a name the page checks itself before sending anything
 * (PROTOCOL.md § Topics: 1–64 characters of A–Z a–z 0–9 _ . -); '' when nothing is.
 */
export function nameProblem(value: string, what = 'name'): string {
  if (NAME_PATTERN.test(value)) return '';
  if (value.length === 0) return `Type a ${what} first.`;
  if (value.length > 64) return `That ${what} is ${value.length} characters long: at most 64 are allowed.`;
  const bad = [...new Set([...value].filter((c) => !NAME_CHARACTERS.test(c)))];
  const shown = bad.map((c) => (c === ' ' ? 'a space' : `"${c}"`)).join(', ');
  return `That ${what} cannot contain ${shown}: use only letters A–Z a–z, digits 0–9 and _ . -`;
}
