import type { Positions } from '../bus/types.ts';
import type { Gap, Message } from '../protocol/index.ts';
import { envelopeBytes } from './envelope-json.ts';

/**
 * What one long-poll answer has gathered: message envelopes within the
 * answer's count (`limit`) and byte bound (`pollMaxAnswerBytes`), gaps, and
 * whether more is waiting. A held request and a room of held requests
 * (longpoll-room.ts) gather the same way.
 */
export class LongPollAnswer {
  readonly messages: string[] = [];
  readonly gaps: Gap[] = [];
  /** UTF-8 bytes of `messages`. */
  bytes = 0;
  more = false;

  constructor(
    private readonly limit: number,
    private readonly maxBytes: number,
  ) {}

  get empty(): boolean {
    return this.messages.length === 0 && this.gaps.length === 0;
  }

  /**
   * Adds a live message; true when the answer must go now (full by count or
   * bytes). A message that does not fit waits for the next answer: the
   * positions then point just before it.
   */
  addLive(message: Message, json: string, positions: Positions): boolean {
    const length = envelopeBytes(message);
    if (this.messages.length > 0 && this.bytes + length > this.maxBytes) {
      positions[message.topic] = message.seq - 1;
      this.more = true;
      return true;
    }
    this.messages.push(json);
    this.bytes += length;
    if (this.messages.length >= this.limit) {
      this.more = true;
      return true;
    }
    return false;
  }
}
