import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CatchUp, StartPoint } from '../bus/types.ts';
import { sendError, sendJson } from './http-io.ts';
import { pollResponseJson } from './poll-response.ts';
import { parseReceiveQuery } from './query.ts';
import type { Transport, TransportContext } from './types.ts';

/**
 * Short polling (`GET /api/poll`): reads what the cursor has not seen and answers
 * at once, even when empty. Holds nothing and subscribes to nothing.
 */
export function createPollTransport(context: TransportContext): Transport {
  const counters = context.accounting.transports.poll;

  /** Answers without a promise when the bus reads from memory (the common case). */
  function answerNow(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): boolean {
    const { startSync, catchUpSync } = context.bus;
    if (!startSync || !catchUpSync) return false;
    const session = context.authenticate(req, params);
    const query = parseReceiveQuery(params, context.options, session.name);
    const start = startSync(query.topics, query.cursor, query.backlog);
    send(res, start, catchUpSync(start.positions, query.limit));
    return true;
  }

  async function answer(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<void> {
    const session = context.authenticate(req, params);
    const query = parseReceiveQuery(params, context.options, session.name);
    const start = await context.bus.start(query.topics, query.cursor, query.backlog);
    send(res, start, await context.bus.catchUp(start.positions, query.limit));
  }

  function send(res: ServerResponse, start: StartPoint, batch: CatchUp): void {
    const gaps = start.gaps.length === 0 ? batch.gaps : [...start.gaps, ...batch.gaps];
    const messages = batch.messages.map((message) => JSON.stringify(message));
    if (messages.length === 0 && gaps.length === 0) counters.emptyResponses += 1;
    counters.deliveries += messages.length;
    const cursor = context.bus.encodeCursor(batch.positions);
    sendJson(res, 200, pollResponseJson(messages, gaps, cursor, batch.more), counters);
  }

  return {
    name: 'poll',
    handleRequest(req, res, params) {
      try {
        if (answerNow(req, res, params)) return;
      } catch (error) {
        sendError(res, error, counters);
        return;
      }
      answer(req, res, params).catch((error: unknown) => sendError(res, error, counters));
    },
    async close() {
      // Nothing is held between requests.
    },
  };
}
