import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CatchUp, StartPoint } from '../bus/types.ts';
import { sendError, sendJson } from './http-io.ts';
import { fitMessages, pollResponseJson } from './poll-response.ts';
import type { Transport, TransportContext } from './types.ts';

/**
 * Short polling (`GET /api/poll`): reads what the cursor has not seen and answers
 * at once, even when empty. Holds nothing and subscribes to nothing.
 */
export function createPollTransport(context: TransportContext): Transport {
  const meter = context.meter;

  /** Answers without a promise when the bus reads from memory (the common case). */
  function answerNow(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): boolean {
    const { startSync, catchUpSync } = context.bus;
    if (!startSync || !catchUpSync) return false;
    const { query } = context.admit(req, params, { hold: 'none', wholeAnswer: res });
    const start = startSync(query.topics, query.cursor, query.backlog);
    send(res, start, catchUpSync(start.positions, query.limit));
    return true;
  }

  async function answer(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<void> {
    const { query } = context.admit(req, params, { hold: 'none', wholeAnswer: res });
    const start = await context.bus.start(query.topics, query.cursor, query.backlog);
    send(res, start, await context.bus.catchUp(start.positions, query.limit));
  }

  function send(res: ServerResponse, start: StartPoint, batch: CatchUp): void {
    const gaps = start.gaps.length === 0 ? batch.gaps : [...start.gaps, ...batch.gaps];
    const fitted = fitMessages(batch.messages, batch.positions, context.options.pollMaxAnswerBytes);
    const messages = fitted.jsons;
    if (messages.length === 0 && gaps.length === 0) meter.answeredEmpty();
    meter.delivered(messages.length);
    const cursor = context.bus.encodeCursor(fitted.positions);
    sendJson(res, 200, pollResponseJson(messages, gaps, cursor, batch.more || fitted.cut), meter);
    context.unflushedAnswers.watch(res);
  }

  return {
    name: 'poll',
    handleRequest(req, res, params) {
      try {
        if (answerNow(req, res, params)) return;
      } catch (error) {
        sendError(res, error, meter);
        return;
      }
      answer(req, res, params).catch((error: unknown) => sendError(res, error, meter));
    },
    async close() {
      // Nothing is held between requests.
    },
  };
}
