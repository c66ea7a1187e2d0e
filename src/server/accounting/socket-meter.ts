import type { Socket } from 'node:net';
import type { Owner } from './counters.ts';

/** Receives the bytes a socket moved since the last flush. */
export type ChargeBytes = (owner: Owner, bytesIn: number, bytesOut: number) => void;

/**
 * Watches one socket's real byte counters and charges what moved to the socket's
 * current owner. A keep-alive socket changes owner per request: the owner is set
 * when a request arrives (its request line and headers have been read by then),
 * so each request's bytes go to its transport. Pipelined requests would be charged
 * to the newest one; our clients do not pipeline.
 */
export class SocketMeter {
  owner: Owner = 'other';
  #lastRead = 0;
  #lastWritten = 0;

  constructor(
    readonly socket: Socket,
    private readonly charge: ChargeBytes,
  ) {}

  /**
   * `flush` as one listener made once per socket, for the 'finish' of a
   * response to a request with a body: that body is read after `claim`, so
   * only a flush at the answer's end tells it from the next request's head.
   */
  readonly onResponseFinish = (): void => {
    this.flush();
  };

  /** Charges what moved since the last flush; returns it for callers that split it further. */
  flush(): { bytesIn: number; bytesOut: number } {
    const moved = this.#sinceLastFlush();
    if (moved.bytesIn !== 0 || moved.bytesOut !== 0) this.charge(this.owner, moved.bytesIn, moved.bytesOut);
    return moved;
  }

  /**
   * Makes `owner` the socket's owner. Called when a request (or upgrade)
   * arrives. What was written since the last flush answered the previous
   * request and goes to the previous owner; what was read is this request's
   * line and headers (the previous request had no body, or its answer's
   * 'finish' flushed: onResponseFinish) and goes to `owner`. So a request
   * without a body needs no listener of its own (issue 12: one less per
   * answer of a long-poll release).
   */
  claim(owner: Owner): { bytesIn: number; bytesOut: number } {
    const moved = this.#sinceLastFlush();
    if (moved.bytesOut !== 0) this.charge(this.owner, 0, moved.bytesOut);
    this.owner = owner;
    if (moved.bytesIn !== 0) this.charge(owner, moved.bytesIn, 0);
    return moved;
  }

  /** What the socket moved since the last flush or claim; from now on counts from here. */
  #sinceLastFlush(): { bytesIn: number; bytesOut: number } {
    const read = this.socket.bytesRead;
    const written = bytesWrittenOf(this.socket);
    const moved = { bytesIn: read - this.#lastRead, bytesOut: written - this.#lastWritten };
    this.#lastRead = read;
    this.#lastWritten = written;
    return moved;
  }
}

/**
 * `socket.bytesWritten`, without its cost where nothing waits in the socket's
 * queue (at a request's arrival and its answer's finish, nearly always): the
 * getter copies the write queue to sum it, twice per request. With the queue
 * empty (`writableLength` 0) the total is what the handle has dispatched, which
 * is what the getter returns then too.
 */
function bytesWrittenOf(socket: Socket): number {
  const handle = (socket as Socket & { _handle?: { bytesWritten?: unknown } | null })._handle;
  if (socket.writableLength === 0 && typeof handle?.bytesWritten === 'number') return handle.bytesWritten;
  return socket.bytesWritten;
}
