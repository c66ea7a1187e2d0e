/**
 * Turns a failure into a sentence a person can act on. Codes come from
 * src/protocol/errors.ts; the server's own message is kept as the detail.
 */
import { isErrorCode } from '../../src/protocol/index.ts';
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
  shutting_down: 'The server is shutting down',
  not_found: 'The server has no such page or file',
  unavailable: 'The server cannot reach its message store right now: try again shortly',
  internal: 'The server failed on its side: the instructor can see the log',
};

export function errorCode(error: unknown): ErrorCode | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return isErrorCode(code) ? code : undefined;
}

export function describeError(error: unknown): string {
  const code = errorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (!code) return detail || 'Something went wrong';
  const retry = (error as { retryAfter?: unknown }).retryAfter;
  const wait = typeof retry === 'number' ? ` (retry in ${retry} s)` : '';
  return `${SENTENCES[code]}${wait}. ${detail}`.trim();
}
