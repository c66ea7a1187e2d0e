import type { IncomingMessage, ServerResponse } from 'node:http';
import { LabError } from '../protocol/index.ts';
import type { Session } from '../server/sessions.ts';
import { sendError } from './http-io.ts';
import { LongPollWaiter, type WaiterShared } from './longpoll-waiter.ts';
import { SharedPollBody } from './poll-response.ts';
import { queuedBehindUnread } from './unflushed-answers.ts';
import { parseReceiveQuery } from './query.ts';
import type { Transport, TransportContext } from './types.ts';

/**
 * Long polling (`GET /api/longpoll`): answers at once when the cursor has
 * something to say, else holds the request until a message or gap arrives or
 * `wait` runs out.
 *
 * A second long poll held by the same session for the same topics answers the
 * older one at once with an empty response (its cursor unchanged), so a client
 * that re-asks after losing track of its request never leaks a held one.
 */
export function createLongPollTransport(context: TransportContext): Transport {
  const counters = context.accounting.transports.longpoll;
  const held = new Map<string, LongPollWaiter>();
  const all = new Set<LongPollWaiter>();
  // Waiters a publish woke, answered together in one check phase rather than one setImmediate each.
  let due: LongPollWaiter[] = [];
  const answerDue = (): void => {
    const batch = due;
    due = [];
    for (const waiter of batch) waiter.answerDue();
  };
  const shared: WaiterShared = {
    scheduleAnswer(waiter) {
      if (due.length === 0) setImmediate(answerDue);
      due.push(waiter);
    },
    bodies: new SharedPollBody(),
  };

  function open(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): void {
    let session: Session;
    let waiter: LongPollWaiter;
    try {
      if (context.shuttingDown) throw new LabError('shutting_down', 'the server is stopping', 1);
      session = context.authenticate(req, params);
      const query = parseReceiveQuery(params, context.options, session.name);
      const queued = queuedBehindUnread(res);
      if (queued) throw queued;
      const key = `${session.id}\n${[...query.topics].sort().join(',')}`;
      held.get(key)?.answerEmpty();
      const release = context.holdRequest(session, counters, req, query.topics.length);
      waiter = new LongPollWaiter(context, res, query, () => {
        release();
        all.delete(waiter);
        if (held.get(key) === waiter) held.delete(key);
      }, shared);
      held.set(key, waiter);
      all.add(waiter);
    } catch (error) {
      sendError(res, error, counters);
      return;
    }
    waiter.start();
  }

  return {
    name: 'longpoll',
    handleRequest: open,
    async close() {
      for (const waiter of [...all]) waiter.fail(new LabError('shutting_down', 'the server is stopping', 1));
    },
  };
}
