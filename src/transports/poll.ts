import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CatchUp, StartPoint } from '../bus/types.ts';
import { conditionalCursor, ifNoneMatchCursor, notModified, pollCacheHeaders, sendNotModified } from './conditional-poll.ts';
import { CursorMemo } from './cursor-memo.ts';
import { sendError, sendJson, writePreparedJson } from './http-io.ts';
import { fitMessages, pollResponseJson, SharedPollBody } from './poll-response.ts';
import type { Transport, TransportContext } from './types.ts';

/**
 * Short polling (`GET /api/poll`): reads what the cursor has not seen and answers
 * at once, even when empty. Holds nothing and subscribes to nothing. A poll
 * whose `If-None-Match` names the cursor it would get back, with nothing new,
 * is answered `304 Not Modified` (conditional-poll.ts).
 */
export function createPollTransport(context: TransportContext): Transport {
  const meter = context.meter;
  // Pollers of a room mostly sit at its head: they share one cursor string and one
  // answer, built and measured once with its header fields (issue 12).
  const cursors = new CursorMemo(context.bus);
  const answers = new SharedPollBody();

  /** Answers without a promise when the bus reads from memory (the common case). */
  function answerNow(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): boolean {
    const { startSync, catchUpSync } = context.bus;
    if (!startSync || !catchUpSync) return false;
    const { query } = context.admit(req, params, { hold: 'none', wholeAnswer: res });
    const tag = ifNoneMatchCursor(req.headers['if-none-match']);
    const start = startSync(query.topics, conditionalCursor(query.cursor, tag), query.backlog);
    send(res, start, catchUpSync(start.positions, query.limit), tag);
    return true;
  }

  async function answer(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): Promise<void> {
    const { query } = context.admit(req, params, { hold: 'none', wholeAnswer: res });
    const tag = ifNoneMatchCursor(req.headers['if-none-match']);
    const start = await context.bus.start(query.topics, conditionalCursor(query.cursor, tag), query.backlog);
    send(res, start, await context.bus.catchUp(start.positions, query.limit), tag);
  }

  /** `tag`: the cursor of `If-None-Match`, if the poll sent one (conditional-poll.ts). */
  function send(res: ServerResponse, start: StartPoint, batch: CatchUp, tag: string | undefined): void {
    const gaps = start.gaps.length === 0 ? batch.gaps : [...start.gaps, ...batch.gaps];
    const fitted = fitMessages(batch.messages, batch.positions, context.options.pollMaxAnswerBytes);
    const messages = fitted.jsons;
    const empty = messages.length === 0 && gaps.length === 0;
    // A 304 is an empty answer too: emptyResponses counts both kinds.
    if (empty) meter.answeredEmpty();
    meter.delivered(messages.length);
    const cursor = cursors.of(fitted.positions);
    const more = batch.more || fitted.cut;
    if (notModified(tag, cursor, empty, more)) {
      sendNotModified(res, cursor);
    } else if (tag === undefined) {
      // Only a conditional poll gets the validator: a plain poll does not pay ~40 header bytes
      // for a feature it does not use (and the 2009 replay keeps the article's header size).
      meter.bodyOut(writePreparedJson(res, 200, answers.body(messages, gaps, cursor, more)));
    } else {
      sendJson(res, 200, pollResponseJson(messages, gaps, cursor, more), meter, pollCacheHeaders(cursor, res));
    }
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
