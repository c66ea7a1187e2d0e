import type { IncomingMessage, ServerResponse } from 'node:http';
import { LabError, type ErrorCode } from '../protocol/index.ts';
import type { TransportCounters } from '../server/accounting/counters.ts';
import { toLabError } from './errors.ts';

/**
 * Reads a JSON request body of at most `maxBytes`, counting its bytes as bodies.
 * Too large → 413 payload_too_large (the rest is not read; the response closes
 * the connection). Not JSON → 400 bad_request.
 */
export function readJsonBody(req: IncomingMessage, maxBytes: number, counters?: TransportCounters): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.reject(tooLarge(maxBytes));
  }
  return new Promise((resolve, reject) => {
    // A small body usually arrives as one chunk: keep it without a concat.
    let first: Buffer | undefined;
    let rest: Buffer[] | undefined;
    let size = 0;
    // Inline listeners (no named closures): this runs once per publish.
    req.on('data', (chunk: Buffer) => {
      // Refused already: the rest flows past, neither kept nor counted.
      if (size > maxBytes) return;
      size += chunk.length;
      if (counters) counters.in.bodies += chunk.length;
      if (size > maxBytes) {
        first = undefined;
        rest = undefined;
        reject(tooLarge(maxBytes));
        return;
      }
      if (first === undefined) first = chunk;
      else (rest ??= [first]).push(chunk);
    });
    req.on('end', () => {
      if (size > maxBytes) return;
      const body = rest ? Buffer.concat(rest, size) : first;
      try {
        resolve(JSON.parse(body === undefined ? '' : body.toString('utf8')));
      } catch {
        reject(new LabError('bad_request', 'the request body is not valid JSON'));
      }
    });
    // 'error' also covers an aborted request (Node ≥ 16 emits it with ECONNRESET).
    req.on('error', () => reject(new LabError('bad_request', 'the request was aborted')));
  });
}

function tooLarge(maxBytes: number): LabError {
  return new LabError('payload_too_large', `the request body is over ${maxBytes} bytes`);
}

/**
 * Sends a complete JSON response with Content-Length (no chunked framing), its
 * body counted as bodies of `counters`.
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  json: string,
  counters?: TransportCounters,
  headers?: Record<string, string>,
): void {
  sendJsonOfLength(res, status, json, Buffer.byteLength(json), counters, headers);
}

/** `sendJson` for a body whose UTF-8 length is already known (a body shared by many answers). */
export function sendJsonOfLength(
  res: ServerResponse,
  status: number,
  json: string,
  length: number,
  counters?: TransportCounters,
  headers?: Record<string, string>,
): void {
  if (res.headersSent || res.destroyed) return;
  if (counters) counters.out.bodies += length;
  const head: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(length),
    'Cache-Control': 'no-store',
  };
  if (headers) Object.assign(head, headers);
  res.writeHead(status, head);
  // A string body leaves with the head in one write (a Buffer would take a writev of two).
  res.end(json);
}

/** Answers with the HTTP form of any error: status, `{"error":{…}}`, Retry-After where waiting helps. */
export function sendError(res: ServerResponse, error: unknown, counters?: TransportCounters): void {
  const lab = toLabError(error);
  const headers: Record<string, string> = {};
  if (lab.retryAfter !== undefined) headers['Retry-After'] = String(Math.max(1, Math.ceil(lab.retryAfter)));
  // A body we refused to read would otherwise be parsed as the next request; a
  // stopping or full server wants the socket back.
  if (CLOSES_CONNECTION.has(lab.code)) headers.Connection = 'close';
  sendJson(res, httpStatus(error, lab), JSON.stringify(lab.toBody()), counters, headers);
}

const CLOSES_CONNECTION = new Set<ErrorCode>(['payload_too_large', 'shutting_down', 'too_many_connections', 'slow_consumer']);

function httpStatus(original: unknown, lab: LabError): number {
  return original === lab || original instanceof LabError ? lab.status : 500;
}
