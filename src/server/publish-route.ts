import type { IncomingMessage, ServerResponse } from 'node:http';
import { LabError, type TransportName } from '../protocol/index.ts';
import { readJsonBody, sendError, sendJson } from '../transports/http-io.ts';
import type { WireMeter } from '../transports/types.ts';
import type { Owner } from './accounting/counters.ts';
import type { ServerContext } from './context.ts';

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

/** `POST /api/messages` → 201 `{topic, seq, id, ts}`. */
export function handlePublish(context: ServerContext, req: IncomingMessage, res: ServerResponse, params: URLSearchParams): void {
  let via: PublishVia | undefined;
  try {
    via = parseVia(params);
  } catch (error) {
    sendError(res, error);
    return;
  }
  const meter = via ? context.accounting.transports[via] : undefined;
  publish(context, req, res, params, meter).catch((error: unknown) => sendError(res, error, meter));
}

/** A module-level function rather than a closure per request: the hot path allocates less. */
async function publish(
  context: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  params: URLSearchParams,
  meter: WireMeter | undefined,
): Promise<void> {
  // No shutdown check here: the server refuses every request while it stops (create.ts).
  const session = context.authenticate(req, params);
  const input = await readJsonBody(req, context.options.maxFrameBytes, meter);
  const result = await context.publish(session, input);
  meter?.published();
  sendJson(res, 201, JSON.stringify(result), meter);
}
