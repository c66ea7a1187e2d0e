import { LabError } from '../protocol/index.ts';
import type { Gap, Message, PublishResult } from '../protocol/index.ts';
import { sleep } from './backoff.ts';
import { BaseClient, closedError, mergeTopics } from './base.ts';
import { NetworkError, buildUrl } from './http.ts';
import { openEventStream } from './platform.ts';
import type { EventStream } from './platform.ts';
import type { SubscribeOptions } from './types.ts';
import { Watchdog } from './watchdog.ts';

/**
 * Server-Sent Events: one held `GET /api/events` streams messages (`id:` is
 * the cursor after each); sends go over HTTP. We reconnect ourselves rather
 * than let EventSource do it: on any error the stream is closed and reopened
 * with `cursor=` after our backoff, so that reconnection behaves as it does
 * on every other transport (and a refusal is not retried forever).
 */
export class SseClient extends BaseClient {
  readonly transport = 'sse';
  private stream: EventStream | undefined;
  /** Aborted when the current stream is replaced or the client closes; ends its reconnect loop. */
  private attachment = new AbortController();
  /** The attachment whose reconnect loop is running, so one stream has one loop. */
  private reconnectingFor: AbortSignal | undefined;
  private subscribing: Promise<unknown> = Promise.resolve();

  subscribe(topics: string[], options: SubscribeOptions = {}): Promise<void> {
    const next = this.subscribing.then(() => this.subscribeNow(topics, options));
    this.subscribing = next.catch(() => undefined);
    return next;
  }

  publish(topic: string, body: string, id?: string): Promise<PublishResult> {
    return this.publishOverHttp(topic, body, id);
  }

  protected async shutdown(): Promise<void> {
    this.detach();
  }

  private async subscribeNow(added: string[], options: SubscribeOptions): Promise<void> {
    await this.ready();
    const held = this.topics;
    const wanted = mergeTopics(held, added);
    const cursor = options.cursor ?? this.cursor;
    const signal = this.detach();
    try {
      const opened = await this.retry(() => this.attach(wanted, cursor, options.backlog, signal), signal);
      if (!opened) throw closedError();
      this.topics = wanted;
    } catch (error) {
      if (held.length > 0 && !this.closed) this.reconnect(this.attachment.signal);
      throw error;
    }
  }

  /** Closes the current stream and ends its reconnect loop; returns the signal of the next one. */
  private detach(): AbortSignal {
    this.attachment.abort();
    this.attachment = new AbortController();
    this.stream?.close();
    this.stream = undefined;
    return this.attachment.signal;
  }

  /** Opens a stream; resolves when it is open, rejects with why it could not open. */
  private async attach(topics: string[], cursor: string | undefined, backlog: number | undefined, signal: AbortSignal): Promise<void> {
    const url = buildUrl(this.options.baseUrl, '/api/events', {
      topics: topics.join(','), cursor, backlog, token: this.token,
    });
    let watchdog: Watchdog | undefined;
    const { stream, refusal, observesBytes } = await openEventStream(
      url.href, this.options.headers, this.options.fetch, () => watchdog?.feed(),
    );
    if (signal.aborted) {
      stream.close();
      throw closedError();
    }
    this.stream = stream;
    return new Promise((resolve, reject) => {
      let opened = false;
      const current = (): boolean => this.stream === stream && !signal.aborted;
      signal.addEventListener('abort', () => {
        watchdog?.stop();
        stream.close();
        if (!opened) reject(closedError());
      }, { once: true });
      if (observesBytes && this.options.sseIdleTimeoutMs > 0) {
        // No byte — not even the keep-alive comment — for this long: the connection is gone
        // (a silent drop sends no FIN). Close it and resume from the last id, as after an error.
        watchdog = new Watchdog(this.options.sseIdleTimeoutMs, (silentForMs) => {
          stream.close();
          if (!current()) return;
          this.stream = undefined;
          if (opened) this.reconnect(signal);
          else reject(new NetworkError(`event stream: no byte in ${silentForMs} ms`));
        });
      }
      stream.onopen = () => {
        opened = true;
        this.markConnected();
        resolve();
      };
      // The server opens with `event: subscribed` whose id is the start cursor.
      stream.addEventListener('subscribed', (event) => {
        if (current()) this.setCursor(event.lastEventId);
      });
      stream.addEventListener('message', (event) => {
        if (!current()) return;
        const message = this.parseServerJson<Message>(event.data);
        if (!message) return;
        this.setCursor(event.lastEventId);
        this.deliverMessage(message);
      });
      stream.addEventListener('gap', (event) => {
        if (!current()) return;
        const gap = this.parseServerJson<Gap>(event.data);
        if (!gap) return;
        this.deliverGap(gap);
        this.setCursor(event.lastEventId);
      });
      stream.onerror = () => {
        watchdog?.stop();
        stream.close();
        if (!current()) return;
        this.stream = undefined;
        if (opened) this.reconnect(signal);
        else void refusal().then(reject);
      };
    });
  }

  /** After a stream broke: wait, reopen from the cursor, and keep trying as judgeFailure says. */
  private reconnect(signal: AbortSignal): void {
    if (this.reconnectingFor === signal || signal.aborted) return;
    this.reconnectingFor = signal;
    this.setState('reconnecting');
    void (async () => {
      try {
        await sleep(this.backoff.next(), signal);
        await this.retry(() => this.attach(this.topics, this.cursor, undefined, signal), signal);
      } catch (error) {
        this.fail(error instanceof LabError ? error : new LabError('bad_request', String(error)));
      } finally {
        if (this.reconnectingFor === signal) this.reconnectingFor = undefined;
      }
    })();
  }
}
