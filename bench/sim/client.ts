/**
 * The lean simulated client: one interface, one file per transport (STYLE:
 * the same names as src/transports). Lean on purpose — a few hundred bytes of
 * state each — so that one process can hold thousands of them.
 */
import type http from 'node:http';
import type { Gap, Message, PublishResult, SessionResponse, TransportName } from '../../src/protocol/index.ts';
import { clientAgent, exchange, type HttpAnswer, type HttpExchange } from './http.ts';
import { H2Path } from './h2-connection.ts';
import { WireMeter } from './meter.ts';

/** Where a client reports what it sees. */
export interface ClientSink {
  message(client: number, message: Message): void;
  gap(client: number, gap: Gap): void;
  /** One HTTP request finished (receive or send path); `empty` = a receive with nothing in it. */
  request(empty: boolean): void;
  /** A request leaves (receive or send path): the counting window must reach at least this far. */
  started(): void;
  /**
   * A long poll was re-issued `turnaroundNs` after its answer was read: the
   * client's share of the time before the server holds a request again (the
   * theory's r, bench/aggregate/theory.ts).
   */
  reissued(turnaroundNs: number): void;
  error(client: number, text: string): void;
}

export interface SimClientOptions {
  index: number;
  name: string;
  transport: TransportName;
  baseUrl: URL;
  topics: string[];
  headers: Record<string, string>;
  pollIntervalMs: number;
  longPollWaitSeconds: number;
  stepTimeoutMs: number;
  /** Poll as the 2009 article's request, byte for byte (short polling only). */
  replay2009?: boolean;
  /** Short polling only: the cursor as `If-None-Match`, a 304 when nothing is new (`--conditional`). */
  conditional?: boolean;
  /**
   * Accept compressed answers (`--compression`): HTTP requests carry
   * `Accept-Encoding: gzip` (in `headers`), the WebSocket offers permessage-deflate.
   */
  compression?: boolean;
  /** `--http 2`: the receive path and the publishes as streams of one h2 session to this address (`http://` h2c, `https://` TLS). */
  h2Url?: URL;
  sink: ClientSink;
}

export interface SimClient {
  readonly meter: WireMeter;
  /** Takes a session and opens the receive path; resolves once the server has it subscribed. */
  open(): Promise<void>;
  publish(topic: string, body: string, id: string): Promise<PublishResult>;
  /**
   * Holds new requests back until `resume()`; resolves when only held
   * requests remain in flight — so that both sides' counters can be read
   * with nothing on the wire between them.
   */
  pause(): Promise<void>;
  resume(): void;
  /** Stops issuing requests for good; resolves when only held requests remain in flight. */
  quiesce(): Promise<void>;
  close(): void;
}

/**
 * What the three HTTP transports share: a session, a send path on its own
 * keep-alive connection (as a browser opens a second one while a long poll or
 * a stream holds the first), and `POST /api/messages?via=<transport>`.
 */
export abstract class HttpSimClient implements SimClient {
  /** `--http 2`: every request but the session's as a stream of one h2 session (h2-connection.ts). */
  protected readonly h2: H2Path | undefined;
  /** An h2 path's meter counts its HTTP/1.1 sockets too. */
  readonly meter: WireMeter;
  protected readonly receiveAgent: http.Agent = clientAgent(1);
  /** Up to six sockets for publishing, a browser's limit per host: a burst is not queued behind one connection. */
  protected readonly sendAgent: http.Agent = clientAgent(6);
  protected token = '';
  protected cursor: string | undefined;
  protected stopped = false;
  private sending = 0;
  private idle: (() => void) | undefined;

  constructor(protected readonly options: SimClientOptions) {
    this.h2 = options.h2Url ? new H2Path(options.h2Url) : undefined;
    this.meter = this.h2?.meter ?? new WireMeter();
  }

  abstract open(): Promise<void>;
  abstract quiesce(): Promise<void>;

  private paused = false;
  private readonly deferred: (() => void)[] = [];

  /** Between `pause()` and `resume()`. */
  protected get isPaused(): boolean {
    return this.paused;
  }

  /** Runs `next` now, or on `resume()` when paused. */
  protected whenRunning(next: () => void): void {
    if (this.paused) this.deferred.push(next);
    else next();
  }

  /** A receive request that is out and not held (a short poll), to wait for when pausing. */
  protected outstanding(): Promise<void> | undefined {
    return undefined;
  }

  async pause(): Promise<void> {
    this.paused = true;
    await this.outstanding();
    await this.sendsSettled();
  }

  resume(): void {
    this.paused = false;
    for (const next of this.deferred.splice(0)) next();
  }

  /** One exchange of the receive or send path: over HTTP/1.1 on the given agent, or as a stream of the h2 session. */
  protected exchange(options: HttpExchange): Promise<HttpAnswer> {
    return this.h2?.carries(options) ? this.h2.exchange(options) : exchange(options);
  }

  protected authHeaders(): Record<string, string> {
    return { ...this.options.headers, authorization: `Bearer ${this.token}` };
  }

  protected async takeSession(): Promise<void> {
    const answer = await exchange({
      agent: this.sendAgent,
      meter: this.meter,
      baseUrl: this.options.baseUrl,
      method: 'POST',
      path: '/api/session',
      headers: { ...this.options.headers },
      body: JSON.stringify({ name: this.options.name }),
      timeoutMs: this.options.stepTimeoutMs,
    });
    this.token = (JSON.parse(answer.body) as SessionResponse).token;
  }

  protected topicsOnlyQuery(): string {
    return `topics=${encodeURIComponent(this.options.topics.join(','))}`;
  }

  protected topicQuery(): string {
    const cursor = this.cursor === undefined ? '' : `&cursor=${encodeURIComponent(this.cursor)}`;
    return `topics=${encodeURIComponent(this.options.topics.join(','))}${cursor}`;
  }

  async publish(topic: string, body: string, id: string): Promise<PublishResult> {
    this.sending += 1;
    this.options.sink.started();
    try {
      const answer = await this.exchange({
        agent: this.sendAgent,
        meter: this.meter,
        baseUrl: this.options.baseUrl,
        method: 'POST',
        path: `/api/messages?via=${this.options.transport}`,
        headers: this.authHeaders(),
        body: JSON.stringify({ topic, body, id }),
        timeoutMs: this.options.stepTimeoutMs,
      });
      return JSON.parse(answer.body) as PublishResult;
    } finally {
      this.options.sink.request(false);
      this.sending -= 1;
      if (this.sending === 0) this.idle?.();
    }
  }

  /** Resolves when no publish is in flight. */
  protected sendsSettled(): Promise<void> {
    if (this.sending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idle = () => {
        this.idle = undefined;
        resolve();
      };
    });
  }

  /** Delivers one poll/long-poll answer to the sink; returns whether it held anything. */
  protected deliver(text: string): { empty: boolean; more: boolean } {
    const answer = JSON.parse(text) as { messages: Message[]; gaps: Gap[]; cursor: string; more: boolean };
    this.cursor = answer.cursor;
    for (const gap of answer.gaps) this.options.sink.gap(this.options.index, gap);
    for (const message of answer.messages) this.options.sink.message(this.options.index, message);
    return { empty: answer.messages.length === 0 && answer.gaps.length === 0, more: answer.more };
  }

  close(): void {
    this.stopped = true;
    this.receiveAgent.destroy();
    this.sendAgent.destroy();
    this.h2?.close();
  }
}
