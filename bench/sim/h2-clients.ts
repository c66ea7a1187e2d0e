/**
 * The HTTP transports over HTTP/2 (`--http 2`): the same clients as over
 * HTTP/1.1 (poll.ts, longpoll.ts, sse.ts), with every request but the session
 * sent as a stream of one h2c session per client (h2-connection.ts) — the
 * session is taken over HTTP/1.1, where the server's express routes live.
 * The receive path and the publishes share that one connection, as a
 * browser's streams to one origin do.
 */
import { H2Connection } from './h2-connection.ts';
import { H2WireMeter } from './h2-meter.ts';
import type { HttpAnswer, HttpExchange } from './http.ts';
import { LongPollSimClient } from './longpoll.ts';
import { PollSimClient } from './poll.ts';
import { SseSimClient } from './sse.ts';
import type { SimClientOptions } from './client.ts';

/** The client's one h2 session, opened at its first h2 request. */
class H2Path {
  readonly meter = new H2WireMeter();
  private connection: H2Connection | undefined;

  constructor(private readonly url: URL) {}

  open(): H2Connection {
    if (!this.connection || this.connection.closed) {
      // A session that failed is replaced by a new one (counted on from there), as a browser reconnects.
      this.connection = new H2Connection(this.url);
      this.meter.attach(this.connection.socket, this.connection.sent, this.connection.received);
    }
    return this.connection;
  }

  exchange(options: HttpExchange): Promise<HttpAnswer> {
    return this.open().exchange(options, (bytes) => this.meter.receivedBody(bytes));
  }

  close(): void {
    this.connection?.close();
  }
}

function h2Url(options: SimClientOptions): URL {
  if (!options.h2Url) throw new Error('an HTTP/2 client needs the h2c address (h2Url)');
  return options.h2Url;
}

/** Sessions stay on HTTP/1.1: express answers 404 over h2 (docs/api.md "What HTTP/2 serves"). */
const isSession = (options: HttpExchange): boolean => options.path === '/api/session';

export class H2PollSimClient extends PollSimClient {
  private readonly h2 = new H2Path(h2Url(this.options));
  override readonly meter = this.h2.meter;

  protected override exchange(options: HttpExchange): Promise<HttpAnswer> {
    return isSession(options) ? super.exchange(options) : this.h2.exchange(options);
  }

  override close(): void {
    super.close();
    this.h2.close();
  }
}

export class H2LongPollSimClient extends LongPollSimClient {
  private readonly h2 = new H2Path(h2Url(this.options));
  override readonly meter = this.h2.meter;

  protected override exchange(options: HttpExchange): Promise<HttpAnswer> {
    return isSession(options) ? super.exchange(options) : this.h2.exchange(options);
  }

  override close(): void {
    super.close();
    this.h2.close();
  }
}

export class H2SseSimClient extends SseSimClient {
  private readonly h2 = new H2Path(h2Url(this.options));
  override readonly meter = this.h2.meter;

  protected override exchange(options: HttpExchange): Promise<HttpAnswer> {
    return isSession(options) ? super.exchange(options) : this.h2.exchange(options);
  }

  /** The event stream as a stream of the session. */
  protected override connect(): Promise<void> {
    const headers: Record<string, string> = { ...this.authHeaders(), accept: 'text/event-stream' };
    if (this.lastEventId !== undefined) headers['last-event-id'] = this.lastEventId;
    return new Promise<void>((resolve, reject) => {
      let stream;
      try {
        stream = this.h2.open().stream('GET', `/api/events?${this.topicQuery()}`, headers);
      } catch (error) {
        reject(error as Error);
        this.reconnect(`sse (h2): ${(error as Error).message}`);
        return;
      }
      this.request = { destroy: () => stream.close() };
      const timer = setTimeout(() => stream.close(), this.options.stepTimeoutMs);
      let opened = false;
      stream.on('error', (error) => {
        clearTimeout(timer);
        if (!opened) reject(error);
      });
      stream.on('close', () => {
        clearTimeout(timer);
        if (!opened) reject(new Error('event stream (h2) closed before it opened'));
        this.reconnect('sse (h2): stream ended');
      });
      stream.on('response', (answer) => {
        clearTimeout(timer);
        this.options.sink.request(false);
        const status = Number(answer[':status'] ?? 0);
        if (status !== 200) {
          reject(new Error(`GET /api/events (h2) → ${status}`));
          stream.resume();
          return;
        }
        opened = true;
        this.read(stream, answer['content-encoding'] as string | undefined);
        resolve();
      });
    });
  }

  override close(): void {
    super.close();
    this.h2.close();
  }
}
