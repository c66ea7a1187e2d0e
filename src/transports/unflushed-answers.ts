import type { ServerResponse } from 'node:http';
import { LabError } from '../protocol/index.ts';

/**
 * The bytes of poll and long-poll answers that clients have not taken yet
 * (issue 8 #4). An answer is written whole; if its client does not read, the
 * bytes wait in this process. Per connection that is one answer (node stops
 * reading a socket whose answer waits, and a request queued behind an unread
 * answer is refused: `queuedBehindUnread`); in total it is `maxBytes`, past
 * which the oldest unread answers are cut — a client that reads takes its
 * answer within milliseconds, so the oldest are the ones that do not read.
 */
export class UnflushedAnswers {
  /** Oldest first (a Map keeps insertion order). */
  readonly #held = new Map<ServerResponse, number>();
  #bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Bytes held for answers not yet taken by their clients. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Call right after `res.end(body)`: counts what the socket has not taken yet, and enforces the bound. */
  watch(res: ServerResponse): void {
    // Usually the kernel took it all at once: nothing is held, nothing to watch.
    if (res.writableFinished || res.destroyed || res.writableLength === 0) return;
    const bytes = res.writableLength;
    this.#held.set(res, bytes);
    this.#bytes += bytes;
    const forget = (): void => this.#forget(res);
    res.once('finish', forget);
    res.once('close', forget);
    for (const [oldest] of this.#held) {
      if (this.#bytes <= this.maxBytes) break;
      this.#forget(oldest);
      oldest.destroy();
    }
  }

  #forget(res: ServerResponse): void {
    const bytes = this.#held.get(res);
    if (bytes === undefined) return;
    this.#held.delete(res);
    this.#bytes -= bytes;
  }
}

/**
 * A request pipelined behind an answer its client has not read yet has no
 * socket of its own: building its answer would only pile bytes up behind the
 * unread one. It is refused with a small error instead.
 */
export function queuedBehindUnread(res: ServerResponse): LabError | undefined {
  if (res.socket) return undefined;
  return new LabError('slow_consumer', 'the previous answer on this connection has not been read yet');
}
