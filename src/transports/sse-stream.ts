import type { ServerResponse } from 'node:http';
import type { Gap, Message } from '../protocol/index.ts';
import { envelopeBytes } from './envelope-json.ts';
import { FrameCache } from './frame-cache.ts';
import { gzipChoice } from './compression.ts';
import { sendError } from './http-io.ts';
import { SseGzip } from './sse-gzip.ts';
import { Outbox } from './outbox.ts';
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
 * One event stream. Each event is one `write` (one HTTP chunk), so its framing is
 * known exactly: the SSE field names, separators and `id` value, plus the chunk's
 * size line and CRLFs. The `data:` value — the envelope JSON — counts as body.
 *
 * A client that does not read cannot make it hold more than `sseMaxBufferedBytes`:
 * the event that would pass it ends the stream instead (EventSource reconnects
 * with the `Last-Event-ID` of the last whole event it got, so nothing is lost).
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

  constructor(
    private readonly context: TransportContext,
    private readonly res: ServerResponse,
    private readonly query: ReceiveQuery,
    private readonly onDone: () => void,
  ) {
    this.#meter = context.meter;
    this.#outbox = new Outbox(context.bus, query.topics, {
      message: (message: Message, json: string) => {
        if (this.#done) return;
        this.#meter.delivered(1);
        const cursor = this.context.bus.encodeCursor(this.#outbox.positions);
        const event = messageEvents.frameOf(message, json, cursor);
        this.#write(event, envelopeBytes(message), event.length);
      },
      gap: (gap: Gap) => this.#event('gap', JSON.stringify(gap)),
    });
  }

  start(): void {
    this.res.once('close', this.#onClose);
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

  #write(text: string | Buffer, bodyBytes: number, bytes = Buffer.byteLength(text)): void {
    if (this.#done) return;
    if (this.res.writableLength + (this.#gzip?.pendingBytes ?? 0) + bytes > this.context.options.sseMaxBufferedBytes) {
      // Issue 8 #3: a client that stopped reading. The event is not written, so the
      // last id the client can hold is the last whole event sent: it resumes there.
      this.#cutSlowConsumer();
      return;
    }
    this.#lastWriteAt = Date.now();
    if (this.#gzip) {
      // Counted as the compressed bytes leave (sse-gzip.ts).
      this.#gzip.write(text);
      return;
    }
    this.#meter.bodyOut(bodyBytes);
    this.#meter.framingOut(bytes - bodyBytes);
    if (this.res.chunkedEncoding) this.#meter.chunkOut(bytes);
    this.res.write(text);
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
    if (this.#done || this.res.writableLength <= low) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!this.#done && this.res.writableLength > low && !this.res.destroyed) return;
        this.res.off('drain', check);
        this.res.off('close', check);
        resolve();
      };
      this.res.on('drain', check);
      this.res.on('close', check);
    });
  };

  readonly #onClose = (): void => {
    if (!this.#done) this.#finish();
  };
}
