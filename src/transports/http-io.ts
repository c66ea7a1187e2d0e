import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { LabError, type ErrorCode } from '../protocol/index.ts';
import { gzipAnswer, gzipChoice, type GzipChoice } from './compression.ts';
import { toLabError } from './errors.ts';
import type { WireMeter } from './types.ts';

/**
 * Reads a JSON request body of at most `maxBytes`, counting its bytes as bodies in `meter`.
 * Too large → 413 payload_too_large (the rest is not read; the response closes
 * the connection). Not JSON → 400 bad_request.
 */
export function readJsonBody(req: IncomingMessage, maxBytes: number, meter?: WireMeter): Promise<unknown> {
  return new Promise((resolve, reject) => {
    readJsonBodyThen(req, maxBytes, meter, (error, value) => (error === undefined ? resolve(value) : reject(error)));
  });
}

/** `readJsonBody` with a callback, called once: no promise on a publish's hot path. */
export function readJsonBodyThen(
  req: IncomingMessage,
  maxBytes: number,
  meter: WireMeter | undefined,
  done: (error: LabError | undefined, value?: unknown) => void,
): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    done(tooLarge(maxBytes));
    return;
  }
  // A small body usually arrives as one chunk: keep it without a concat.
  let first: Buffer | undefined;
  let rest: Buffer[] | undefined;
  let size = 0;
  let settled = false;
  // Inline listeners (no named closures): this runs once per publish.
  req.on('data', (chunk: Buffer) => {
    // Refused already: the rest flows past, neither kept nor counted.
    if (size > maxBytes) return;
    size += chunk.length;
    meter?.bodyIn(chunk.length);
    if (size > maxBytes) {
      first = undefined;
      rest = undefined;
      settled = true;
      done(tooLarge(maxBytes));
      return;
    }
    if (first === undefined) first = chunk;
    else (rest ??= [first]).push(chunk);
  });
  req.on('end', () => {
    if (settled) return;
    settled = true;
    const body = rest ? Buffer.concat(rest, size) : first;
    let value: unknown;
    try {
      value = JSON.parse(body === undefined ? '' : body.toString('utf8'));
    } catch {
      done(new LabError('bad_request', 'the request body is not valid JSON'));
      return;
    }
    done(undefined, value);
  });
  // 'error' also covers an aborted request (Node ≥ 16 emits it with ECONNRESET).
  req.on('error', () => {
    if (settled) return;
    settled = true;
    done(new LabError('bad_request', 'the request was aborted'));
  });
}

function tooLarge(maxBytes: number): LabError {
  return new LabError('payload_too_large', `the request body is over ${maxBytes} bytes`);
}

/**
 * Sends a complete JSON response with Content-Length (no chunked framing), its
 * body counted as bodies in `meter`.
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  json: string,
  meter?: WireMeter,
  headers?: Record<string, string>,
): void {
  sendJsonOfLength(res, status, json, Buffer.byteLength(json), meter, headers);
}

/** `sendJson` for a body whose UTF-8 length is already known. */
export function sendJsonOfLength(
  res: ServerResponse,
  status: number,
  json: string,
  length: number,
  meter?: WireMeter,
  headers?: Record<string, string>,
): void {
  if (res.headersSent || res.destroyed) return;
  const gzip = gzipChoice(res);
  if (gzip !== undefined) {
    meter?.bodyOut(writeGzippedJson(res, status, json, length, gzip, headers));
    return;
  }
  meter?.bodyOut(length);
  const head: Record<string, string> = {
    'Content-Type': JSON_TYPE,
    'Content-Length': String(length),
    'Cache-Control': 'no-store',
  };
  if (headers) Object.assign(head, headers);
  res.writeHead(status, head);
  // A string body leaves with the head in one write (a Buffer would take a writev of two).
  res.end(json);
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * A JSON body written to many answers (a long-poll release): its UTF-8 length
 * and its header fields are made once, not once per answer (issue 12).
 */
export interface PreparedJson {
  readonly json: string;
  readonly length: number;
  /** `writeHead`'s flat list (name, value, …), the same fields and order as `sendJson`'s. */
  readonly head: readonly string[];
}

export function prepareJson(json: string): PreparedJson {
  const length = Buffer.byteLength(json);
  return { json, length, head: ['Content-Type', JSON_TYPE, 'Content-Length', String(length), 'Cache-Control', 'no-store'] };
}

/**
 * Writes a prepared answer and returns the body bytes it put on the wire (0
 * when the response was gone), for the caller to count: a release of
 * thousands counts once, not once per answer.
 */
export function writePreparedJson(res: ServerResponse, status: number, body: PreparedJson): number {
  if (res.headersSent || res.destroyed) return 0;
  const gzip = gzipChoice(res);
  if (gzip !== undefined) return writeGzippedJson(res, status, body.json, body.length, gzip);
  res.writeHead(status, body.head as string[]);
  res.end(body.json);
  return body.length;
}

/**
 * A 200 answer at or over the threshold, gzipped (issue 11 #6); the body bytes
 * it returns are the compressed bytes that go on the wire. Errors and small
 * answers stay plain, but still say `Vary`, as every answer that could have been compressed does.
 */
function writeGzippedJson(
  res: ServerResponse,
  status: number,
  json: string,
  length: number,
  gzip: GzipChoice,
  headers?: Record<string, string>,
): number {
  const compress = status === 200 && length >= gzip.thresholdBytes;
  const body = compress ? gzipAnswer(json, gzip.level) : json;
  const bytes = compress ? body.length : length;
  const head: Record<string, string> = {
    'Content-Type': JSON_TYPE,
    'Content-Length': String(bytes),
    'Cache-Control': 'no-store',
    Vary: 'Accept-Encoding',
  };
  if (compress) head['Content-Encoding'] = 'gzip';
  if (headers) Object.assign(head, headers);
  res.writeHead(status, head);
  res.end(body);
  return bytes;
}

/**
 * The one HTTP error writer (hot paths, cold routes, lab routes): status from the
 * code's entry in the list, `{"error":{…}}`, Retry-After where waiting helps.
 * Anything that is not a LabError is a 500 `internal`, logged once (toLabError).
 */
export function sendError(res: ServerResponse, error: unknown, meter?: WireMeter): void {
  const lab = toLabError(error);
  const headers: Record<string, string> = {};
  if (lab.retryAfter !== undefined) headers['Retry-After'] = retryAfterValue(lab.retryAfter);
  // A body we refused to read would otherwise be parsed as the next request; a
  // stopping or full server wants the socket back. HTTP/2 forbids the header
  // (RFC 9113 § 8.2.2): there the stream ends, and a stopping server sends GOAWAY.
  if (CLOSES_CONNECTION.has(lab.code) && res.req?.httpVersionMajor !== 2) headers.Connection = 'close';
  sendJson(res, httpStatus(error, lab), JSON.stringify(lab.toBody()), meter, headers);
}

/**
 * The same error as a whole HTTP/1.1 answer, for a socket node:http does not
 * answer itself (a connection refused at accept, an upgrade refused before its
 * handshake): head and body, written at once; the connection closes after it.
 */
export function rawErrorResponse(error: LabError): { head: string; body: string } {
  const body = JSON.stringify(error.toBody());
  const status = error.status;
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  if (error.retryAfter !== undefined) head += `Retry-After: ${retryAfterValue(error.retryAfter)}\r\n`;
  return { head: `${head}Connection: close\r\n\r\n`, body };
}

/** Retry-After is whole seconds (RFC 9110), at least one. */
function retryAfterValue(seconds: number): string {
  return String(Math.max(1, Math.ceil(seconds)));
}

const CLOSES_CONNECTION = new Set<ErrorCode>(['payload_too_large', 'shutting_down', 'too_many_connections', 'slow_consumer']);

function httpStatus(original: unknown, lab: LabError): number {
  return original === lab || original instanceof LabError ? lab.status : 500;
}
