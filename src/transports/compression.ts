import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import { constants, gzipSync } from 'node:zlib';
import type { ServerOptions } from '../config.ts';

/**
 * gzip of HTTP answers (issue 11 #6), decided once per request by the hot router:
 * the server's `httpCompression` is `gzip` and the request's Accept-Encoding allows it.
 * The transports ask `gzipChoice(res)` when they write, so poll, long poll and SSE
 * need no option of their own.
 *
 * The encode-once caches (envelope-json.ts, frame-cache.ts) still share the JSON
 * text; the gzip of it is made per answer (or per stream), because each answer's
 * compressed bytes depend on everything before them in its own zlib stream.
 */
export interface GzipChoice {
  level: number;
  /** A whole answer under this many bytes goes uncompressed (an event stream is compressed whole). */
  thresholdBytes: number;
}

const choices = new WeakMap<object, GzipChoice>();
/** Until a first answer is marked, `gzipChoice` need not look: a release of thousands skips a WeakMap lookup per answer. */
let anyChosen = false;

/** Marks `res` to be gzipped when its request accepts gzip and the server compresses. */
export function chooseGzip(req: IncomingMessage, res: ServerResponse, options: ServerOptions): void {
  if (options.httpCompression === 'gzip' && acceptsGzip(req.headers['accept-encoding'])) {
    choices.set(res, { level: options.compressionLevel, thresholdBytes: options.compressionThresholdBytes });
    anyChosen = true;
  }
}

/** How `res` is to be gzipped, or undefined for an uncompressed answer. */
export function gzipChoice(res: ServerResponse | Http2ServerResponse): GzipChoice | undefined {
  return anyChosen ? choices.get(res) : undefined;
}

/**
 * Whether an Accept-Encoding value allows gzip (RFC 9110 § 12.5.3): a `gzip`
 * (or `x-gzip`, or `*`) token whose q is not 0. Absent: no (identity only).
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const text = Array.isArray(header) ? header.join(',') : header;
  let star = false;
  for (const part of text.split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const allowed = q === undefined || Number(q.slice(2)) > 0;
    const name = token.trim();
    if (name === 'gzip' || name === 'x-gzip') return allowed;
    if (name === '*') star = allowed;
  }
  return star;
}

/** A whole answer's body, gzipped. Sync: answers are small, and the answer leaves in the same turn as before. */
export function gzipAnswer(json: string, level: number): Buffer {
  return gzipSync(json, { level });
}

/** What an event stream's gzip flushes with after every event: a sync flush, so no event waits for the next. */
export const EVENT_FLUSH = constants.Z_SYNC_FLUSH;
