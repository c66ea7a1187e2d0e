import type { ServerResponse } from 'node:http';
import type { CatchUp } from '../bus/types.ts';
import type { Gap, Message } from '../protocol/index.ts';
import { envelopeBytes } from './envelope-json.ts';
import { sendError, sendJsonOfLength } from './http-io.ts';
import { Outbox } from './outbox.ts';
import type { CursorMemo } from './cursor-memo.ts';
import { fitMessages, type SharedPollBody } from './poll-response.ts';
import type { ReceiveQuery } from './query.ts';
import type { TransportContext } from './types.ts';
import type { Expiring, WaitQueues } from './wait-queues.ts';

/** What the waiters of one transport share, so that one publish costs one pass over them. */
export interface WaiterShared {
  /** Calls `answerDue()` of `waiter` in the next check phase, with every other waiter due then (one setImmediate). */
  scheduleAnswer(waiter: LongPollWaiter): void;
  readonly bodies: SharedPollBody;
  /** The answers' cursors: one string per distinct set of positions in a row. */
  readonly cursors: CursorMemo;
  /** One timer per `wait` value for every held request. */
  readonly timers: WaitQueues;
}

/**
 * One held long poll. It subscribes live before catching up (so nothing slips
 * between), answers at once when the catch-up finds something, else waits for the
 * first live message or gap — collecting whatever else arrives in the same turn of
 * the event loop, so a burst goes out in one answer — or for `wait` to run out.
 * An aborted request frees its subscription, timer and held slot at once.
 */
export class LongPollWaiter implements Expiring {
  readonly #outbox: Outbox;
  readonly #messages: string[] = [];
  readonly #gaps: Gap[] = [];
  /** UTF-8 bytes of #messages: an answer stays within pollMaxAnswerBytes. */
  #bytes = 0;
  #more = false;
  #done = false;
  #superseded = false;
  /** True while this waiter sits in its `wait` queue. */
  #timed = false;
  #answerScheduled = false;
  #watchingClose = false;

  constructor(
    private readonly context: TransportContext,
    private readonly res: ServerResponse,
    private readonly query: ReceiveQuery,
    private readonly onDone: () => void,
    private readonly shared: WaiterShared,
  ) {
    this.#outbox = new Outbox(context.bus, query.topics, {
      message: (message: Message, json: string) => {
        const length = envelopeBytes(message);
        if (this.#messages.length > 0 && this.#bytes + length > this.context.options.pollMaxAnswerBytes) {
          // It waits for the next answer: the cursor points just before it.
          this.#outbox.positions[message.topic] = message.seq - 1;
          this.#more = true;
          this.#answer();
          return;
        }
        this.#messages.push(json);
        this.#bytes += length;
        if (this.#messages.length >= this.query.limit) {
          this.#more = true;
          this.#answer();
        } else this.#scheduleAnswer();
      },
      gap: (gap: Gap) => {
        this.#gaps.push(gap);
        this.#scheduleAnswer();
      },
    });
  }

  start(): void {
    let begun: ReturnType<Outbox['beginNow']>;
    try {
      begun = this.#outbox.beginNow(this.query.cursor, this.query.backlog, this.query.limit);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (begun) {
      this.#settle(begun.gaps, begun.batch);
      return;
    }
    this.#watchClose();
    this.#run().catch((error: unknown) => this.fail(error));
  }

  /** Another long poll of the same session and topics replaced this one: answer now. */
  answerEmpty(): void {
    this.#superseded = true;
    if (this.#timed) this.#answer();
  }

  /** Answers with an error (e.g. shutting_down). */
  fail(error: unknown): void {
    if (this.#done) return;
    this.#finish();
    sendError(this.res, error, this.context.meter);
  }

  async #run(): Promise<void> {
    const startGaps = await this.#outbox.begin(this.query.cursor, this.query.backlog);
    if (this.#done) return;
    const batch = await this.#outbox.readBatch(this.query.limit);
    if (this.#done) return;
    this.#settle(startGaps, batch);
  }

  /** Answers at once with what the catch-up found, else holds until a message, a gap or `wait`. */
  #settle(startGaps: Gap[], batch: CatchUp): void {
    this.#gaps.push(...startGaps, ...batch.gaps);
    const fitted = fitMessages(batch.messages, batch.positions, this.context.options.pollMaxAnswerBytes);
    this.#messages.push(...fitted.jsons);
    this.#bytes = fitted.bytes;
    if (fitted.cut) this.#outbox.positions = { ...fitted.positions };
    this.#more = batch.more || fitted.cut;
    if (this.#messages.length > 0 || this.#gaps.length > 0 || this.#superseded || this.query.waitMs === 0) {
      this.#answer();
      return;
    }
    this.#watchClose();
    this.#timed = true;
    this.shared.timers.add(this.query.waitMs, this);
    this.#outbox.goLive();
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
    this.#answer();
  }

  /** The scheduled answer (see WaiterShared.scheduleAnswer). */
  answerDue(): void {
    this.#answer();
  }

  #answer(): void {
    if (this.#done) return;
    this.#finish();
    const meter = this.context.meter;
    if (this.#messages.length === 0 && this.#gaps.length === 0) meter.answeredEmpty();
    meter.delivered(this.#messages.length);
    const cursor = this.shared.cursors.of(this.#outbox.positions);
    const body = this.shared.bodies.body(this.#messages, this.#gaps, cursor, this.#more);
    sendJsonOfLength(this.res, 200, body.json, body.length, meter);
    this.context.unflushedAnswers.watch(this.res);
  }

  #finish(): void {
    this.#done = true;
    if (this.#timed) {
      this.#timed = false;
      this.shared.timers.remove(this.query.waitMs, this);
    }
    this.#outbox.close();
    // The 'close' listener stays: it does nothing once done, and removing it cost a scan per waiter.
    this.onDone();
  }

  readonly #onClose = (): void => {
    // The client went away before an answer: free everything, write nothing.
    if (!this.#done) this.#finish();
  };
}
