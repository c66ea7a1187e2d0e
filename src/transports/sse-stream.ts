import type { ServerResponse } from 'node:http';
import type { Gap, Message } from '../protocol/index.ts';
import { envelopeBytes } from './envelope-json.ts';
import { FrameCache } from './frame-cache.ts';
import { gzipChoice } from './compression.ts';
import { sendError } from './http-io.ts';
import { SseGzip } from './sse-gzip.ts';
import { Outbox } from './outbox.ts';
import { EventCoalescer, type ChunkSink } from './sse-coalesce.ts';
import { replayBatch, type ReceiveQuery } from './query.ts';
import type { TransportContext, WireMeter } from './types.ts';

const KEEP_ALIVE = ':\n\n';
/** How long an ended slow stream may take to flush before its socket is cut (as a slow WebSocket's close). */
const CUT_GRACE_MS = 5_000;
/** The terminating chunk `0\r\n\r\n` of a chunked response. */
const LAST_CHUNK_BYTES = 5;

/** `message` events, encoded once per message and cursor, shared by every stream with that cursor. */
const messageEvents = new FrameCache((json, cursor) => `event: message\nid: ${cursor}\ndata: ${json}\n\n`);

/**
 * One event stream. An event is written at once as its own `write` (one HTTP
 * chunk); while a write is still in flight (the socket backed up), the next events
 * wait and leave together as one chunk when it has gone (issue 12, sse-coalesce.ts).
 * Either way the framing is known exactly: per event the SSE field names,
 * separators and `id` value, per chunk its size line and CRLFs. The `data:`
 * value — the envelope JSON — counts as body.
 *
 * A client that does not read cannot make it hold more than `sseMaxBufferedBytes`,
 * unsent and held events together: the event that would pass it ends the stream
 * instead, after the events already held (EventSource reconnects with the
 * `Last-Event-ID` of the last whole event it got, so nothing is lost).
 *
 * It opens with `event: subscribed` carrying the start cursor (as the WebSocket's
 * `subscribed` frame does), so a client that drops before any message still
 * resumes from the right place.
 */
export class SseStream {
  readonly #outbox: Outbox;
  readonly #meter: WireMeter;
  #lastWriteAt = Date.now();
  #done = false;
  /** The stream's gzip when the request accepts it and the server compresses (issue 11 #6). */
  #gzip: SseGzip | undefined;
  readonly #events: EventCoalescer;
  /** Set while a replay waits for room (#drained): a written chunk may have made it. */
  #onChunkWritten: (() => void) | undefined;

  constructor(
    private readonly context: TransportContext,
    private readonly res: ServerResponse,
    private readonly query: ReceiveQuery,
    private readonly onDone: () => void,
  ) {
    this.#meter = context.meter;
    this.#events = new EventCoalescer(this.#sink, () => this.#onChunkWritten?.());
    this.#outbox = new Outbox(context.bus, query.topics, {
      message: (message: Message, json: string) => {
        if (this.#done) return;
        const cursor = this.context.bus.encodeCursor(this.#outbox.positions);
        const event = messageEvents.frameOf(message, json, cursor);
        if (this.#write(event, envelopeBytes(message), event.length)) this.#meter.delivered(1);
      },
      gap: (gap: Gap) => this.#event('gap', JSON.stringify(gap)),
    });
  }

  start(): void {
    this.res.on('close', this.#onClose);
    this.#run().catch((error: unknown) => {
      if (this.res.headersSent) this.end();
      else {
        this.#finish();
        sendError(this.res, error, this.#meter);
      }
    });
  }

  /** Writes a comment when nothing was written since `idleSince` (ms since the epoch). */
  keepAlive(idleSince: number): void {
    if (this.#done || !this.res.headersSent || this.#lastWriteAt > idleSince) return;
    this.#write(KEEP_ALIVE, 0);
  }

  /** Ends the stream (server shutting down, or a fault after the headers went out). */
  end(): void {
    if (this.#done) return;
    this.#finish();
    // The events held for the next chunk were taken: they go out before the end.
    this.#events.flush();
    if (this.#gzip) {
      this.#gzip.end();
      return;
    }
    if (this.res.headersSent && this.res.chunkedEncoding) this.#meter.framingOut(LAST_CHUNK_BYTES);
    this.res.end();
  }

  async #run(): Promise<void> {
    const startGaps = await this.#outbox.begin(this.query.cursor, this.query.backlog);
    if (this.#done) return;
    const gzip = gzipChoice(this.res);
    this.res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
      ...(gzip ? { 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' } : {}),
    });
    keepHeadFlat(this.res);
    if (gzip) this.#gzip = new SseGzip(this.res, this.#meter, gzip.level);
    const cursor = this.context.bus.encodeCursor(this.#outbox.positions);
    this.#event('subscribed', JSON.stringify({ cursor }), undefined, cursor);
    for (const gap of startGaps) this.#event('gap', JSON.stringify(gap));
    const batch = Math.min(this.query.limit, replayBatch(this.context.options.sseMaxBufferedBytes, this.context.options));
    await this.#outbox.drain(batch, this.#drained);
    if (this.#done) return;
    this.#outbox.goLive();
  }

  #event(
    name: string,
    data: string,
    dataBytes = Buffer.byteLength(data),
    id = this.context.bus.encodeCursor(this.#outbox.positions),
  ): void {
    if (this.#done) return;
    // Event names and cursors are ASCII: the event's size is known without re-measuring the data.
    const head = `event: ${name}\nid: ${id}\ndata: `;
    this.#write(`${head}${data}\n\n`, dataBytes, head.length + dataBytes + 2);
  }

  /** Takes one whole event (written now or held for the next chunk); false when it ended the stream instead. */
  #write(text: string | Buffer, bodyBytes: number, bytes = Buffer.byteLength(text)): boolean {
    if (this.#done) return false;
    if (this.#unsentBytes() + bytes > this.context.options.sseMaxBufferedBytes) {
      // Issue 8 #3: a client that stopped reading. The event is not written, so the
      // last id the client can hold is the last whole event sent: it resumes there.
      this.#cutSlowConsumer();
      return false;
    }
    this.#lastWriteAt = Date.now();
    this.#events.write(text, bodyBytes, bytes);
    return true;
  }

  /** Where the coalesced chunks go: one write each, counted as it is written. */
  readonly #sink: ChunkSink = {
    write: (chunk, bodyBytes, bytes, written) => {
      if (this.#gzip) {
        // Counted as the compressed bytes leave (sse-gzip.ts).
        this.#gzip.write(chunk, written);
        return;
      }
      this.#meter.bodyOut(bodyBytes);
      this.#meter.framingOut(bytes - bodyBytes);
      if (this.res.chunkedEncoding) this.#meter.chunkOut(bytes);
      this.res.write(chunk, written);
    },
  };

  /** What the stream holds for its client: unsent in the response, in its gzip, and events waiting for the next chunk. */
  #unsentBytes(): number {
    return this.res.writableLength + (this.#gzip?.pendingBytes ?? 0) + this.#events.pendingBytes;
  }

  /** Ends the stream; if what it holds still does not leave within a grace, the socket is cut. */
  #cutSlowConsumer(): void {
    this.end();
    const cut = setTimeout(() => this.res.destroy(), CUT_GRACE_MS);
    cut.unref();
    this.res.once('close', () => clearTimeout(cut));
  }

  #finish(): void {
    this.#done = true;
    this.#outbox.close();
    this.res.off('close', this.#onClose);
    this.onDone();
  }

  /** Resolves once at most half the buffer bound is unsent (or the stream is over). */
  readonly #drained = (): Promise<void> => {
    const low = this.context.options.sseMaxBufferedBytes / 2;
    if (this.#done || this.#unsentBytes() <= low) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!this.#done && this.#unsentBytes() > low && !this.res.destroyed) return;
        this.#onChunkWritten = undefined;
        this.res.off('drain', check);
        this.res.off('close', check);
        resolve();
      };
      // 'drain' comes only after a write the socket refused; a chunk of ours leaving
      // (its held events handed on) may free the room too, with a bound under the socket's high-water mark.
      this.#onChunkWritten = check;
      this.res.on('drain', check);
      this.res.on('close', check);
    });
  };

  readonly #onClose = (): void => {
    // The client is gone: what was held for it can no longer be written.
    this.#events.drop();
    if (!this.#done) this.#finish();
  };
}

/**
 * node keeps the head it built (`res._header`, read by `headersSent`) for the
 * response's life, and builds it by concatenation: a tree of ~20 strings, about
 * 1 KB per open event stream. The same text as one flat string costs a fifth of
 * it; the bytes written are the same (issue 12: RSS per idle stream).
 */
function keepHeadFlat(res: ServerResponse): void {
  const kept = res as unknown as { _header?: unknown };
  if (typeof kept._header === 'string') kept._header = Buffer.from(kept._header, 'latin1').toString('latin1');
}
