import type { ServerResponse } from 'node:http';
import { LabError } from '../protocol/index.ts';
import { gzipChoice } from './compression.ts';
import { parseCursor } from './query.ts';

/**
 * Conditional short polling (issue 11 item 2): the cursor doubles as an entity
 * tag. A poll that sends its cursor as `If-None-Match` gets `304 Not
 * Modified`, headers only, when the answer would hold nothing new; its answers
 * (200 or 304) carry `ETag: "<their cursor>"` and `Cache-Control: no-cache` (a
 * cache may keep it but must ask again). A plain poll's answer carries neither:
 * its client reads the cursor from the body and would pay for a validator it
 * never sends back.
 *
 * Where the answer may be gzipped (`--gzip` and a client that accepts it), the
 * tag is weak (`W/"…"`) and even the 304 says `Vary: Accept-Encoding`: a
 * strong tag names one exact byte sequence, and the gzipped and the plain
 * answer are two (RFC 9110 § 8.8.3); a weak one names what they share.
 */

/** The cache headers of a conditional poll's answer (200 or 304) to `res`: revalidate every time, with the cursor as the tag. */
export function pollCacheHeaders(cursor: string, res: ServerResponse): Record<string, string> {
  if (gzipChoice(res) === undefined) return { 'Cache-Control': 'no-cache', ETag: `"${cursor}"` };
  return { 'Cache-Control': 'no-cache', ETag: `W/"${cursor}"`, Vary: 'Accept-Encoding' };
}

/**
 * The cursor an `If-None-Match` header carries, or undefined when there is
 * none. One entity tag, strong or weak (`W/` is ignored: If-None-Match compares
 * weakly, RFC 9110 § 13.1.2); `*` names no cursor, so it is ignored too. A list
 * of several tags, or a value that is not an entity tag, is 400 bad_request: a
 * poll has exactly one position, so the server cannot guess which one is meant.
 */
export function ifNoneMatchCursor(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '' || value === '*') return undefined;
  const match = /^(?:W\/)?"([^"]*)"$/.exec(value);
  if (!match) {
    throw new LabError('bad_request', 'If-None-Match must be one entity tag: the cursor of the last answer in double quotes');
  }
  return parseCursor(match[1]);
}

/**
 * Which cursor a poll reads from, and which tag it is compared against:
 * `?cursor=` wins when both are given (the query is the protocol's cursor, the
 * header only a validator — a 304 then needs the answer's cursor to equal the
 * header's tag, which a different cursor never gives when nothing is new); the
 * header is the cursor when the query has none.
 */
export function conditionalCursor(queryCursor: string | undefined, tag: string | undefined): string | undefined {
  return queryCursor ?? tag;
}

/**
 * True when a poll may be answered 304: it sent a tag, and the answer would
 * carry no message, no gap, no `more`, and the very cursor it sent — a 304
 * tells the client "what you hold is current", never "skip this gap".
 */
export function notModified(tag: string | undefined, cursor: string, empty: boolean, more: boolean): boolean {
  return tag !== undefined && empty && !more && cursor === tag;
}

/**
 * Writes `304 Not Modified`: the status line and headers only (no
 * Content-Length, no body — node writes none for a 304). It counts no body
 * bytes, so the server's accounting books the whole answer as headers.
 */
export function sendNotModified(res: ServerResponse, cursor: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(304, pollCacheHeaders(cursor, res));
  res.end();
}
