import type { ServerResponse } from 'node:http';
import type { CatchUp, Positions } from '../bus/types.ts';
import type { Gap } from '../protocol/index.ts';
import { sendError, writePreparedJson, type PreparedJson } from './http-io.ts';
import { LongPollAnswer } from './longpoll-answer.ts';
import type { Due, LongPollRoom, LongPollRooms, RoomMember } from './longpoll-room.ts';
import { Outbox } from './outbox.ts';
import type { CursorMemo } from './cursor-memo.ts';
import { fitMessages, type SharedPollBody } from './poll-response.ts';
import type { ReceiveQuery } from './query.ts';
import type { TransportContext } from './types.ts';
import type { Expiring, WaitQueues } from './wait-queues.ts';

/** What the waiters of one transport share, so that one publish costs one pass over them. */
export interface WaiterShared {
  /** Calls `answerDue()` of `due` in the next check phase, with everything else due then (one setImmediate). */
  scheduleAnswer(due: Due): void;
  readonly bodies: SharedPollBody;
  /** The answers' cursors: one string per distinct set of positions in a row. */
  readonly cursors: CursorMemo;
  /** One timer per `wait` value for every held request (and with the next, every request not answered yet). */
  readonly timers: WaitQueues<LongPollWaiter>;
  /** Requests catching up over a bus that reads asynchronously, not in `timers` yet. */
  readonly catchingUp: Set<LongPollWaiter>;
  /** Held requests that wait for the same thing wait together: one subscription and one answer per room. */
  readonly rooms: LongPollRooms;
  /** The long poll each session holds per set of topics (`heldKey`): the next one with the same key replaces it. */
  readonly held: Map<string, LongPollWaiter>;
}

/**
 * One held long poll. It answers at once when its catch-up finds something, else
 * waits for the first live message or gap — collecting whatever else arrives in
 * the same turn of the event loop, so a burst goes out in one answer — or for
 * `wait` to run out. It waits in the room of every request held at the same
 * positions (longpoll-room.ts), which a publish answers in one pass with one
 * body. Over an in-memory bus the catch-up and the room's subscription happen
 * in one turn; over an asynchronous one it subscribes on its own before
 * catching up (so nothing slips between), and moves to the room once live with
 * nothing gathered.
 * An aborted request frees its subscription, timer and held slot at once.
 */
export class LongPollWaiter implements Expiring, Due, RoomMember {
  /** Its own subscription, over a bus that reads asynchronously (subscribed before its catch-up). */
  #outbox: Outbox | undefined;
  /** Where its answer's cursor points when it has no outbox (an in-memory catch-up). */
  #positions: Positions = NO_POSITIONS;
  /** What it gathered on its own; made only once there is something (most held requests gather nothing: their room does). */
  #answer: LongPollAnswer | undefined;
  /** Where it waits once its own outbox found nothing (then its outbox is closed). */
  #room: LongPollRoom | undefined;
  #done = false;
  #superseded = false;
  /** True while this waiter sits in its `wait` queue. */
  #timed = false;
  /** Its slot in its `wait` queue (WaitQueues writes it). */
  waitSlot = -1;
  #answerScheduled = false;
  #watchingClose = false;

  /**
   * `release` gives back what its admission holds; `heldKey` is its entry in
   * `shared.held`. Kept as fields, not in a closure per request: a release of
   * thousands reads them from the waiter it is answering anyway.
   */
  constructor(
    private readonly context: TransportContext,
    private readonly res: ServerResponse,
    private readonly query: ReceiveQuery,
    private readonly release: () => void,
    private readonly heldKey: string,
    private readonly shared: WaiterShared,
  ) {}

  #gathered(): LongPollAnswer {
    return (this.#answer ??= new LongPollAnswer(this.query.limit, this.context.options.pollMaxAnswerBytes));
  }

  get #gatheredNothing(): boolean {
    return this.#answer === undefined || this.#answer.empty;
  }

  start(): void {
    const { startSync, catchUpSync } = this.context.bus;
    if (startSync && catchUpSync) {
      // In memory the catch-up and the room's subscription happen in this one turn:
      // nothing can be stored between them, so no subscription of its own is needed.
      let start: ReturnType<typeof startSync>;
      let batch: CatchUp;
      try {
        start = startSync(this.query.topics, this.query.cursor, this.query.backlog);
        batch = catchUpSync(start.positions, this.query.limit);
      } catch (error) {
        this.fail(error);
        return;
      }
      this.#settle(start.gaps, batch);
      return;
    }
    const outbox = new Outbox(this.context.bus, this.query.topics, {
      message: (message, json) => {
        if (this.#gathered().addLive(message, json, outbox.positions)) this.#answerNow();
        else this.#scheduleAnswer();
      },
      gap: (gap: Gap) => {
        this.#gathered().gaps.push(gap);
        this.#scheduleAnswer();
      },
    });
    this.#outbox = outbox;
    this.#watchClose();
    this.shared.catchingUp.add(this);
    this.#run(outbox).catch((error: unknown) => this.fail(error));
  }

  /** Another long poll of the same session and topics replaced this one: answer now. */
  answerEmpty(): void {
    this.#superseded = true;
    if (this.#timed) this.#answerNow();
  }

  /** Answers with an error (e.g. shutting_down). */
  fail(error: unknown): void {
    if (this.#done) return;
    this.#finish();
    sendError(this.res, error, this.context.meter);
  }

  async #run(outbox: Outbox): Promise<void> {
    const startGaps = await outbox.begin(this.query.cursor, this.query.backlog);
    if (this.#done) return;
    const batch = await outbox.readBatch(this.query.limit);
    if (this.#done) return;
    this.#settle(startGaps, batch);
  }

  /** Answers at once with what the catch-up found, else holds until a message, a gap or `wait`. */
  #settle(startGaps: Gap[], batch: CatchUp): void {
    if (this.#outbox) this.shared.catchingUp.delete(this);
    const fitted = fitMessages(batch.messages, batch.positions, this.context.options.pollMaxAnswerBytes);
    if (startGaps.length > 0 || batch.gaps.length > 0 || fitted.jsons.length > 0) {
      const answer = this.#gathered();
      answer.gaps.push(...startGaps, ...batch.gaps);
      answer.messages.push(...fitted.jsons);
      answer.bytes = fitted.bytes;
      answer.more = batch.more || fitted.cut;
    }
    // The batch's positions are a fresh object that only this request keeps.
    const positions = fitted.cut ? { ...fitted.positions } : batch.positions;
    const outbox = this.#outbox;
    if (outbox) outbox.positions = positions;
    else this.#positions = positions;
    if (!this.#gatheredNothing || this.#superseded || this.query.waitMs === 0) {
      this.#answerNow();
      return;
    }
    this.#watchClose();
    this.#timed = true;
    this.shared.timers.add(this.query.waitMs, this);
    if (outbox) {
      outbox.goLive();
      // Something came while it caught up (goLive delivered it), or a repair is under way: it stays on its own.
      if (this.#done || !this.#gatheredNothing || this.#answerScheduled || !outbox.live) return;
      outbox.close();
      this.#outbox = undefined;
      this.#positions = outbox.positions;
    }
    // It waits in the room of its positions, whose subscription starts (or stands) in this same
    // turn as the read that found nothing newer, so nothing slips between the two.
    this.#room = this.shared.rooms.join(this, this.query.topics, this.#positions, this.query.limit);
    // From here it answers with its room's body and cursor: its own positions are not read again.
    this.#positions = NO_POSITIONS;
  }

  /** Only a request that is held needs to hear of its client leaving (one answered at once does not). */
  #watchClose(): void {
    if (this.#watchingClose) return;
    this.#watchingClose = true;
    this.res.on('close', this.#onClose);
  }

  #scheduleAnswer(): void {
    if (this.#answerScheduled || this.#done) return;
    this.#answerScheduled = true;
    this.shared.scheduleAnswer(this);
  }

  /** `wait` ran out (see WaitQueues). */
  expire(): void {
    this.#timed = false;
    this.#answerNow();
  }

  /** The scheduled answer (see WaiterShared.scheduleAnswer). */
  answerDue(): void {
    this.#answerNow();
  }

  /** Its room's answer, the same bytes as every other member's; the room counts the batch (-1: answered already). */
  answerWith(body: PreparedJson): number {
    if (this.#done) return -1;
    // The room is answering everyone and empties itself: no leaving one by one.
    this.#room = undefined;
    this.#finish();
    const bytes = writePreparedJson(this.res, 200, body);
    this.context.unflushedAnswers.watch(this.res);
    return bytes;
  }

  /** Answers alone: with what its own outbox gathered, or with its room's answer as it stands. */
  #answerNow(): void {
    if (this.#done) return;
    const { body, messages, empty } = this.#room ? this.#room.body() : this.#ownBody();
    this.#finish();
    const meter = this.context.meter;
    if (empty) meter.answeredEmpty();
    meter.delivered(messages);
    meter.bodyOut(writePreparedJson(this.res, 200, body));
    this.context.unflushedAnswers.watch(this.res);
  }

  #ownBody(): { body: PreparedJson; messages: number; empty: boolean } {
    const answer = this.#answer ?? NOTHING_GATHERED;
    const cursor = this.shared.cursors.of(this.#outbox ? this.#outbox.positions : this.#positions);
    return { body: this.shared.bodies.body(answer.messages, answer.gaps, cursor, answer.more), messages: answer.messages.length, empty: answer.empty };
  }

  #finish(): void {
    this.#done = true;
    if (this.#timed) {
      this.#timed = false;
      this.shared.timers.remove(this.query.waitMs, this);
    }
    if (this.#room) {
      this.#room.leave(this);
      this.#room = undefined;
    } else if (this.#outbox) {
      this.#outbox.close();
      this.shared.catchingUp.delete(this);
    }
    // The 'close' listener stays: it does nothing once done, and removing it cost a scan per waiter.
    this.release();
    const held = this.shared.held;
    if (held.get(this.heldKey) === this) held.delete(this.heldKey);
  }

  readonly #onClose = (): void => {
    // The client went away before an answer: free everything, write nothing.
    if (!this.#done) this.#finish();
  };
}

/** Read-only stand-ins for a waiter that gathered nothing of its own (never written to). */
const NO_POSITIONS: Positions = Object.freeze({}) as Positions;
const NOTHING_GATHERED: Readonly<LongPollAnswer> = Object.freeze(new LongPollAnswer(1, 0));
