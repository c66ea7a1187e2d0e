/** Where an event stream's chunks go: the plain response or its gzip (sse-stream.ts). */
export interface ChunkSink {
  /**
   * Writes `chunk` — whole events, `bytes` long, `bodyBytes` of them `data:` values — as
   * one write (one HTTP/1.1 chunk), and calls `written` once it has left for the socket
   * (or the response is gone). The sink counts what it writes.
   */
  write(chunk: string | Buffer, bodyBytes: number, bytes: number, written: () => void): void;
}

/**
 * Issue 12: an event stream's writes, coalesced while its socket is backed up.
 *
 * While nothing is in flight an event is written at once, as its own chunk, so a
 * stream that keeps up sees no added delay. While a write is in flight — its bytes
 * not yet handed to the kernel: the socket is backed up, or it is still corked for
 * this turn — the next events wait here and leave together as ONE chunk when it
 * has gone (SockJS's xhr-streaming gathers messages in a session buffer the same
 * way). At saturation that is one http write, one chunk and one queued write
 * request for many events instead of one each.
 *
 * Events are only ever appended whole, so a cut or a drop never splits one.
 */
export class EventCoalescer {
  #parts: (string | Buffer)[] = [];
  #pendingBytes = 0;
  #pendingBodyBytes = 0;
  #inFlight = false;

  /** `onWritten` hears every chunk that has left (and, right before, the held events' chunk handed on). */
  constructor(
    private readonly sink: ChunkSink,
    private readonly onWritten: () => void = () => {},
  ) {}

  /** Bytes of events accepted and not yet handed to the sink (they count against the stream's bound). */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Writes one whole event now, or holds it for the next chunk while a write is in flight. */
  write(event: string | Buffer, bodyBytes: number, bytes: number): void {
    if (!this.#inFlight) {
      this.#send(event, bodyBytes, bytes);
      return;
    }
    this.#parts.push(event);
    this.#pendingBytes += bytes;
    this.#pendingBodyBytes += bodyBytes;
  }

  /** Hands what is held to the sink now as one chunk (the stream is ending: it goes out before the end). */
  flush(): void {
    if (this.#parts.length === 0) return;
    const parts = this.#parts;
    const bytes = this.#pendingBytes;
    const bodyBytes = this.#pendingBodyBytes;
    this.drop();
    this.#send(parts.length === 1 ? parts[0]! : joinParts(parts, bytes), bodyBytes, bytes);
  }

  /** Forgets what is held (the response is gone: nothing more can be written). */
  drop(): void {
    this.#parts = [];
    this.#pendingBytes = 0;
    this.#pendingBodyBytes = 0;
  }

  #send(chunk: string | Buffer, bodyBytes: number, bytes: number): void {
    this.#inFlight = true;
    this.sink.write(chunk, bodyBytes, bytes, this.#written);
  }

  readonly #written = (): void => {
    this.#inFlight = false;
    this.flush();
    this.onWritten();
  };
}

/** One chunk from whole events: shared message frames are Buffers, the stream's own events strings. */
function joinParts(parts: (string | Buffer)[], bytes: number): string | Buffer {
  if (parts.every((part) => typeof part === 'string')) return parts.join('');
  return Buffer.concat(
    parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)),
    bytes,
  );
}
