import type { MessageBus, Positions } from '../bus/types.ts';
import type { CursorMemo } from './cursor-memo.ts';
import { type PreparedJson, prepareJson } from './http-io.ts';
import { LongPollAnswer } from './longpoll-answer.ts';
import { Outbox } from './outbox.ts';
import { pollResponseJson } from './poll-response.ts';
import type { WireMeter } from './types.ts';

/** Something answered in the next check phase, with everything else due then (one setImmediate). */
export interface Due {
  answerDue(): void;
}

/** A held request as a room sees it. */
export interface RoomMember {
  /** Writes `body` as this request's answer; the body bytes it put on the wire, or -1 when it was answered already. */
  answerWith(body: PreparedJson): number;
}

/**
 * The long-poll rooms of one transport, by what their requests wait for: the
 * same positions (one cursor) and the same `limit`. A publish to a room's
 * topics reaches one subscription per room, not one per held request, and the
 * answer — body, length, head fields — is made once for all of them (issue 12:
 * the per-waiter work of a release).
 */
export class LongPollRooms {
  readonly #rooms = new Map<string, LongPollRoom>();

  constructor(
    readonly bus: MessageBus,
    readonly maxAnswerBytes: number,
    readonly meter: WireMeter,
    private readonly cursors: CursorMemo,
    readonly schedule: (due: Due) => void,
  ) {}

  /**
   * `member` waits from `positions` on, in the room of everyone else waiting
   * there. The caller read up to `positions` in this same turn and found
   * nothing newer, so nothing can have slipped between its read and the
   * room's subscription.
   */
  join(member: RoomMember, topics: string[], positions: Positions, limit: number): LongPollRoom {
    const key = `${limit}\n${this.cursors.of(positions)}`;
    let room = this.#rooms.get(key);
    if (room === undefined) {
      room = new LongPollRoom(this, key, topics, positions, limit);
      this.#rooms.set(key, room);
    }
    room.add(member);
    return room;
  }

  /** A room that answers (its positions move on) or empties takes no one else. */
  forget(room: LongPollRoom): void {
    if (this.#rooms.get(room.key) === room) this.#rooms.delete(room.key);
  }
}

export class LongPollRoom implements Due {
  readonly #members = new Set<RoomMember>();
  readonly #outbox: Outbox;
  readonly #answer: LongPollAnswer;
  /** The answer as it stands, made at most once per change (a member answering alone reads it too). */
  #body: PreparedJson | undefined;
  #scheduled = false;
  #closed = false;

  constructor(
    private readonly rooms: LongPollRooms,
    readonly key: string,
    topics: string[],
    positions: Positions,
    limit: number,
  ) {
    this.#answer = new LongPollAnswer(limit, rooms.maxAnswerBytes);
    this.#outbox = new Outbox(rooms.bus, topics, {
      message: (message, json) => {
        this.#body = undefined;
        if (this.#answer.addLive(message, json, this.#outbox.positions)) this.answerDue();
        else this.#schedule();
      },
      gap: (gap) => {
        this.#body = undefined;
        this.#answer.gaps.push(gap);
        this.#schedule();
      },
    });
    this.#outbox.startLive(positions, limit);
  }

  add(member: RoomMember): void {
    this.#members.add(member);
  }

  /** A member answered alone (its `wait` ran out, it was superseded) or its client left. */
  leave(member: RoomMember): void {
    if (!this.#members.delete(member) || this.#members.size > 0) return;
    this.#close();
  }

  /** The answer as it stands: messages and gaps so far (maybe none) and the cursor after them. */
  body(): { body: PreparedJson; messages: number; empty: boolean } {
    const answer = this.#answer;
    this.#body ??= prepareJson(pollResponseJson(answer.messages, answer.gaps, this.rooms.bus.encodeCursor(this.#outbox.positions), answer.more));
    return { body: this.#body, messages: answer.messages.length, empty: answer.empty };
  }

  /** Answers every member with the same bytes, counted once for the whole batch. */
  answerDue(): void {
    if (this.#closed) return;
    const { body, messages } = this.body();
    this.#close();
    let answered = 0;
    let bytes = 0;
    for (const member of this.#members) {
      const written = member.answerWith(body);
      if (written < 0) continue;
      answered += 1;
      bytes += written;
    }
    this.#members.clear();
    const meter = this.rooms.meter;
    meter.delivered(messages * answered);
    meter.bodyOut(bytes);
  }

  #schedule(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    this.rooms.schedule(this);
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#outbox.close();
    this.rooms.forget(this);
  }
}
