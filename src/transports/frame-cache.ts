import type { Message } from '../protocol/index.ts';

/** Builds one recipient's frame text from the shared envelope JSON and that recipient's cursor. */
export type FrameEncoder = (envelopeJson: string, cursor: string) => string;

interface CachedFrame {
  cursor: string;
  bytes: Buffer;
  /** The epoch under which `cursor` is the sole-topic cursor of the message (see soleFrameOf). */
  soleEpoch?: string;
}

/**
 * Encode once per message: a live message is one shared `Message` object for
 * every recipient, and every recipient whose cursor after it is the same
 * string (each single-topic subscriber, and in general the same topics at the
 * same positions) gets the same bytes. So the frame is built and turned into a
 * Buffer once, and handed to every such socket; a recipient with another
 * cursor gets its own. Entries die with the message (WeakMap), so nothing is
 * held after the last delivery.
 */
export class FrameCache {
  readonly #frames = new WeakMap<Message, CachedFrame>();
  /** The last message's entry: a fan-out asks for one message per recipient in a row (a pointer check, not a lookup). */
  #lastMessage: Message | undefined;
  #lastFrame: CachedFrame | undefined;

  constructor(private readonly encode: FrameEncoder) {}

  /** The frame bytes for `message` followed by `cursor`, shared when the cursor matches. */
  frameOf(message: Message, envelopeJson: string, cursor: string): Buffer {
    const cached = this.#cached(message);
    if (cached !== undefined && cached.cursor === cursor) return cached.bytes;
    const bytes = Buffer.from(this.encode(envelopeJson, cursor));
    // The first cursor seen wins: with one topic per subscriber, that is everyone's.
    if (cached === undefined) {
      const frame = { cursor, bytes };
      this.#frames.set(message, frame);
      this.#lastMessage = message;
      this.#lastFrame = frame;
    }
    return bytes;
  }

  /**
   * The frame for a recipient that follows only `message.topic`, without making
   * its cursor: that cursor is `v1~<epoch>~<topic>=<seq>` for every such
   * recipient, so once one of them has had it encoded (markSole), the rest of
   * the fan-out reuses the bytes without building and comparing the string.
   * Undefined until then.
   */
  soleFrameOf(message: Message, epoch: string): Buffer | undefined {
    const cached = this.#cached(message);
    return cached !== undefined && cached.soleEpoch === epoch ? cached.bytes : undefined;
  }

  /** Records that `cursor` is the sole-topic cursor of `message` under `epoch` (when it is the cached one). */
  markSole(message: Message, epoch: string, cursor: string): void {
    const cached = this.#cached(message);
    if (cached !== undefined && cached.cursor === cursor) cached.soleEpoch = epoch;
  }

  #cached(message: Message): CachedFrame | undefined {
    if (message === this.#lastMessage) return this.#lastFrame;
    const cached = this.#frames.get(message);
    if (cached !== undefined) {
      this.#lastMessage = message;
      this.#lastFrame = cached;
    }
    return cached;
  }
}
