import type { ServerResponse } from 'node:http';
import { createGzip, type Gzip } from 'node:zlib';
import { EVENT_FLUSH } from './compression.ts';
import type { WireMeter } from './types.ts';

/**
 * An event stream's gzip (issue 11 #6): one zlib stream per response, flushed
 * with Z_SYNC_FLUSH after every write so that an event leaves at once instead of
 * waiting in zlib's window for the next one. A write is one event, or the events
 * held while the socket was backed up (sse-coalesce.ts), compressed together.
 * Each flush's output is one write (one HTTP/1.1 chunk).
 *
 * Accounting: the SSE field names and the event data are compressed together,
 * so the stream's compressed bytes all count as bodies; the chunks' size lines
 * and CRLFs count as framing, as on a plain stream.
 */
export class SseGzip {
  readonly #zlib: Gzip;

  constructor(
    private readonly res: ServerResponse,
    private readonly meter: WireMeter,
    level: number,
  ) {
    this.#zlib = createGzip({ level });
    // A response that is gone takes the zlib stream with it (its memory is freed).
    this.#zlib.on('error', () => res.destroy());
    res.once('close', () => this.#zlib.destroy());
  }

  /** Bytes handed to zlib and not yet written to the response. */
  get pendingBytes(): number {
    return this.#zlib.writableLength + this.#zlib.readableLength;
  }

  /**
   * Compresses whole events and sends what zlib gives for them (the gzip header too,
   * the first time); `written` once that has left for the socket.
   */
  write(text: string | Buffer, written: () => void): void {
    this.#zlib.write(text);
    this.#zlib.flush(EVENT_FLUSH, () => this.#send(written));
  }

  /** Ends the zlib stream (its trailer leaves), then the response. */
  end(): void {
    this.#zlib.end(() => {
      this.#send();
      if (this.res.chunkedEncoding) this.meter.framingOut(LAST_CHUNK_BYTES);
      this.res.end();
    });
  }

  #send(written?: () => void): void {
    const chunks: Buffer[] = [];
    for (let chunk = this.#zlib.read() as Buffer | null; chunk !== null; chunk = this.#zlib.read() as Buffer | null) chunks.push(chunk);
    if (chunks.length === 0 || this.res.destroyed || this.res.writableEnded) {
      written?.();
      return;
    }
    const out = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    this.meter.bodyOut(out.length);
    if (this.res.chunkedEncoding) this.meter.chunkOut(out.length);
    this.res.write(out, written);
  }
}

/** The terminating chunk `0\r\n\r\n` of a chunked response. */
const LAST_CHUNK_BYTES = 5;
