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
 * The event loop's turns, as far as the streams need them: `current` moves on in
 * the check phase (one shared `setImmediate`, scheduled by the first write of a
 * turn), after the events held for the turn's end have been written.
 */
const turns = { current: 0, scheduled: false, held: new Set<EventCoalescer>() };

function endTurn(): void {
  turns.scheduled = false;
  const held = turns.held;
  turns.held = new Set();
  for (const events of held) events.turnEnded();
  turns.current += 1;
}

/**
 * Issue 12: an event stream's writes, coalesced while it cannot send one more
 * write to good use.
 *
 * The first event of a turn of the event loop, with nothing in flight, is written
 * at once as its own chunk, so a stream that keeps up sees no added delay. Later
 * events wait here and leave together as ONE chunk:
 * - while a write is in flight (its bytes not yet handed to the kernel: the
 *   socket is backed up), when it has gone;
 * - else, once the stream has written in this turn, at the turn's end (the check
 *   phase). At saturation node runs a publisher's pipelined publishes one after
 *   another in one turn (their writes leave between them), so this is what
 *   gathers them.
 * SockJS's xhr-streaming gathers messages in a session buffer the same way. At
 * saturation that is one http write, one chunk and one queued write request for
 * many events instead of one each.
 *
 * Events are only ever appended whole, so a cut or a drop never splits one.
 */
export class EventCoalescer {
  #parts: (string | Buffer)[] = [];
  #pendingBytes = 0;
  #pendingBodyBytes = 0;
  #inFlight = false;
  /** The turn of this stream's last write. */
  #turn = -1;

  /** `onWritten` hears every chunk that has left (and, right before, the held events' chunk handed on). */
  constructor(
    private readonly sink: ChunkSink,
    private readonly onWritten: () => void = () => {},
  ) {}

  /** Bytes of events accepted and not yet handed to the sink (they count against the stream's bound). */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Writes one whole event now, or holds it for the next chunk (see the class). */
  write(event: string | Buffer, bodyBytes: number, bytes: number): void {
    if (!this.#inFlight && this.#turn !== turns.current) {
      this.#send(event, bodyBytes, bytes);
      return;
    }
    this.#parts.push(event);
    this.#pendingBytes += bytes;
    this.#pendingBodyBytes += bodyBytes;
    // In flight, the write's callback sends them; else the turn's end does.
    if (!this.#inFlight) turns.held.add(this);
  }

  /** The turn is over: what was held for it goes out (unless a write is in flight: then when it has gone). */
  turnEnded(): void {
    if (!this.#inFlight) this.flush();
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
    this.#turn = turns.current;
    if (!turns.scheduled) {
      turns.scheduled = true;
      setImmediate(endTurn);
    }
    this.sink.write(chunk, bodyBytes, bytes, this.#written);
  }

  readonly #written = (): void => {
    this.#inFlight = false;
    // Gone within the turn it was written in: what came meanwhile waits for the turn's end.
    if (this.#turn !== turns.current) this.flush();
    else if (this.#parts.length > 0) turns.held.add(this);
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
