import type { IncomingMessage, ServerResponse } from 'node:http';
import { LabError, type PublishResult, type TransportName } from '../protocol/index.ts';
import { readJsonBodyThen, sendError, sendJson } from '../transports/http-io.ts';
import type { WireMeter } from '../transports/types.ts';
import type { Owner } from './accounting/counters.ts';
import type { ServerContext } from './context.ts';
import type { Session } from './sessions.ts';

/** Transports whose clients publish over HTTP; `?via=` names one of them for the accounting. */
export const HTTP_PUBLISH_VIA = ['poll', 'longpoll', 'sse'] as const satisfies readonly TransportName[];
export type PublishVia = (typeof HTTP_PUBLISH_VIA)[number];

/** `?via=poll|longpoll|sse` → that transport; absent → undefined (counted as other); anything else → bad_request. */
export function parseVia(params: URLSearchParams): PublishVia | undefined {
  const via = params.get('via');
  if (via === null || via === '') return undefined;
  if ((HTTP_PUBLISH_VIA as readonly string[]).includes(via)) return via as PublishVia;
  throw new LabError('bad_request', `via must be one of ${HTTP_PUBLISH_VIA.join(', ')}`);
}

/** Who a publish request's bytes are charged to: its `via`, else (absent or bad) other. */
export function publishOwner(params: URLSearchParams): Owner {
  try {
    return parseVia(params) ?? 'other';
  } catch {
    return 'other';
  }
}

/**
 * `POST /api/messages` → 201 `{topic, seq, id, ts}`. No promise on the way
 * when nothing waits (the in-memory bus and buckets): authenticated, read,
 * checked, stored and answered in the turn the body arrived (issue 12).
 */
export function handlePublish(context: ServerContext, req: IncomingMessage, res: ServerResponse, params: URLSearchParams): void {
  let via: PublishVia | undefined;
  let session: Session;
  try {
    via = parseVia(params);
    // No shutdown check here: the server refuses every request while it stops (create.ts).
    session = context.authenticate(req, params);
  } catch (error) {
    sendError(res, error, via ? context.accounting.transports[via] : undefined);
    return;
  }
  const meter = via ? context.accounting.transports[via] : undefined;
  readJsonBodyThen(req, context.options.maxFrameBytes, meter, (error, input) => {
    if (error !== undefined) {
      sendError(res, error, meter);
      return;
    }
    let result: PublishResult | Promise<PublishResult>;
    try {
      result = context.publishNow(session, input);
    } catch (refusal) {
      sendError(res, refusal, meter);
      return;
    }
    if (result instanceof Promise) result.then((stored) => answerPublished(res, stored, meter), (refusal: unknown) => sendError(res, refusal, meter));
    else answerPublished(res, result, meter);
  });
}

function answerPublished(res: ServerResponse, result: PublishResult, meter: WireMeter | undefined): void {
  meter?.published();
  sendJson(res, 201, publishResultJson(result), meter);
}

/**
 * `JSON.stringify(result)`, the same text, made as one template: the generic
 * stringifier cost ~0.5 µs for these four fields, a tenth of a publish's
 * own work (issue 12). Topics and server-made ids need no escaping; anything
 * that might is stringified.
 */
export function publishResultJson(result: PublishResult): string {
  return `{"topic":${jsonString(result.topic)},"seq":${jsonNumber(result.seq)},"id":${jsonString(result.id)},"ts":${jsonNumber(result.ts)}}`;
}

function jsonNumber(value: number): string {
  return Number.isFinite(value) ? `${value}` : 'null';
}

/** A string as JSON: quoted as it is when every character is printable ASCII other than `"` and `\`. */
function jsonString(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c) return JSON.stringify(text);
  }
  return `"${text}"`;
}
