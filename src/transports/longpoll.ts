import type { IncomingMessage, ServerResponse } from 'node:http';
import { LabError } from '../protocol/index.ts';
import { sendError } from './http-io.ts';
import { LongPollRooms, type Due } from './longpoll-room.ts';
import { LongPollWaiter, type WaiterShared } from './longpoll-waiter.ts';
import { CursorMemo } from './cursor-memo.ts';
import { SharedPollBody } from './poll-response.ts';
import type { ReceiveQuery } from './query.ts';
import type { SessionRef, Transport, TransportContext } from './types.ts';
import { WaitQueues } from './wait-queues.ts';

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
  const meter = context.meter;
  // Waiters and rooms a publish woke, answered together in one check phase rather than one setImmediate each.
  let due: Due[] = [];
  const answerDue = (): void => {
    const batch = due;
    due = [];
    for (const item of batch) item.answerDue();
  };
  const scheduleAnswer = (item: Due): void => {
    if (due.length === 0) setImmediate(answerDue);
    due.push(item);
  };
  const cursors = new CursorMemo(context.bus);
  const shared: WaiterShared = {
    scheduleAnswer,
    bodies: new SharedPollBody(),
    cursors,
    timers: new WaitQueues<LongPollWaiter>(),
    catchingUp: new Set<LongPollWaiter>(),
    rooms: new LongPollRooms(context.bus, context.options.pollMaxAnswerBytes, meter, cursors, scheduleAnswer),
    held: new Map<string, LongPollWaiter>(),
  };
  const held = shared.held;

  /** The key of a session's long poll on a set of topics: the next one with the same key replaces it. */
  const keyOf = (session: SessionRef, query: ReceiveQuery): string => {
    const topics = query.topics;
    return `${session.id}\n${topics.length === 1 ? topics[0] : [...topics].sort().join(',')}`;
  };
  /** Answers the long poll a new one replaces, before the new one is counted (its slot is free again). */
  const supersede = (session: SessionRef, query: ReceiveQuery): void => held.get(keyOf(session, query))?.answerEmpty();

  function open(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): void {
    let waiter: LongPollWaiter;
    try {
      const { session, query, release } = context.admit(req, params, { hold: 'request', wholeAnswer: res, beforeHold: supersede });
      const key = keyOf(session, query);
      waiter = new LongPollWaiter(context, res, query, release, key, shared);
      held.set(key, waiter);
    } catch (error) {
      sendError(res, error, meter);
      return;
    }
    waiter.start();
  }

  return {
    name: 'longpoll',
    handleRequest: open,
    async close() {
      // Every request not answered yet waits in a `wait` queue or is still catching up.
      for (const waiter of [...shared.timers.waiting(), ...shared.catchingUp]) waiter.fail(new LabError('shutting_down', 'the server is stopping', 1));
    },
  };
}
