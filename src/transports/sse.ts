import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError } from './http-io.ts';
import { SseStream } from './sse-stream.ts';
import type { Transport, TransportContext } from './types.ts';

/**
 * Server-Sent Events (`GET /api/events`): one held response that streams
 * `event: message` / `event: gap`, each with `id: <cursor after it>`. A reconnect's
 * `Last-Event-ID` header takes precedence over `?cursor`. Idle streams get a
 * keep-alive comment every `sseKeepAliveMs` from one timer for all of them.
 */
export function createSseTransport(context: TransportContext): Transport {
  const streams = new Set<SseStream>();
  const keepAliveMs = context.options.sseKeepAliveMs;
  const keepAlive = setInterval(() => {
    const idleSince = Date.now() - keepAliveMs;
    for (const stream of streams) stream.keepAlive(idleSince);
  }, keepAliveMs);
  keepAlive.unref();

  function open(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): void {
    let stream: SseStream;
    try {
      const lastEventId = req.headers['last-event-id'];
      if (typeof lastEventId === 'string' && lastEventId !== '') params.set('cursor', lastEventId);
      const { query, release } = context.admit(req, params, { hold: 'request' });
      stream = new SseStream(context, res, query, () => {
        release();
        streams.delete(stream);
      });
      streams.add(stream);
    } catch (error) {
      sendError(res, error, context.meter);
      return;
    }
    stream.start();
  }

  return {
    name: 'sse',
    handleRequest: open,
    async close() {
      clearInterval(keepAlive);
      for (const stream of [...streams]) stream.end();
    },
  };
}
