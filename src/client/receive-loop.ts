import { LabError } from '../protocol/index.ts';
import type { PollResponse, PublishResult } from '../protocol/index.ts';
import { sleep } from './backoff.ts';
import { BaseClient, closedError, mergeTopics } from './base.ts';
import { buildUrl, requestJson } from './http.ts';
import type { Query } from './http.ts';
import type { ClientOptions, SubscribeOptions } from './types.ts';

/**
 * What separates short polling from long polling: the endpoint, the query
 * it adds, how long a request may take, and the pause before the next one.
 */
export interface ReceiveSpec {
  path: string;
  /** Query for a request; `first` is the request that confirms a subscribe and must answer at once. */
  query(first: boolean): Query;
  /** Give up on a request after this long (a held request's wait plus slack). */
  timeoutMs(): number;
  /** Pause before the next request after an answer that did not say `more`. */
  pauseMs(): number;
  /** Send the cursor as `If-None-Match` and take a 304 as "nothing new" (conditional short polling). */
  conditional?(): boolean;
}

interface Loop {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * A client that receives by repeating one HTTP request (poll, longpoll):
 * GET with the topics and the cursor, deliver, ask again. Subscribing stops
 * the loop, confirms the new topic list with one immediate request, and
 * starts the loop again from the cursor.
 */
export abstract class RequestLoopClient extends BaseClient {
  protected abstract readonly spec: ReceiveSpec;
  private loop: Loop | undefined;
  private subscribing: Promise<unknown> = Promise.resolve();

  constructor(options: ClientOptions) {
    super(options);
  }

  subscribe(topics: string[], options: SubscribeOptions = {}): Promise<void> {
    // One subscribe at a time: each replaces the loop the previous one started.
    const next = this.subscribing.then(() => this.subscribeNow(topics, options));
    this.subscribing = next.catch(() => undefined);
    return next;
  }

  publish(topic: string, body: string, id?: string): Promise<PublishResult> {
    return this.publishOverHttp(topic, body, id);
  }

  protected async shutdown(): Promise<void> {
    await this.stopLoop();
  }

  private async subscribeNow(added: string[], options: SubscribeOptions): Promise<void> {
    await this.ready();
    const held = this.topics;
    const wanted = mergeTopics(held, added);
    await this.stopLoop();
    const controller = new AbortController();
    const cursor = options.cursor ?? this.cursor;
    try {
      const confirmed = await this.retry(async () => {
        const batch = await this.fetchBatch(wanted, cursor, options.backlog, true, controller.signal);
        this.topics = wanted;
        this.apply(batch);
        this.markConnected();
      });
      if (!confirmed) throw closedError();
    } catch (error) {
      if (held.length > 0 && !this.closed) this.startLoop(new AbortController(), 0);
      throw error;
    }
    this.startLoop(controller, this.spec.pauseMs());
  }

  private startLoop(controller: AbortController, firstPauseMs: number): void {
    this.loop = { controller, done: this.run(controller.signal, firstPauseMs) };
  }

  private async stopLoop(): Promise<void> {
    const loop = this.loop;
    this.loop = undefined;
    if (!loop) return;
    loop.controller.abort();
    await loop.done;
  }

  private async run(signal: AbortSignal, firstPauseMs: number): Promise<void> {
    let pauseMs = firstPauseMs;
    try {
      for (;;) {
        await sleep(pauseMs, signal);
        if (signal.aborted || this.closed) return;
        const ok = await this.retry(async () => {
          const batch = await this.fetchBatch(this.topics, this.cursor, undefined, false, signal);
          this.apply(batch);
          this.markConnected();
          pauseMs = batch.more ? 0 : this.spec.pauseMs();
        }, signal);
        if (!ok) return;
      }
    } catch (error) {
      // A refusal that waiting cannot fix (a revoked token, a forbidden topic): stop for good.
      if (signal.aborted) return;
      this.fail(error instanceof LabError ? error : new LabError('bad_request', String(error)));
    }
  }

  private apply(batch: PollResponse): void {
    // Gaps first: they cover seqs older than the messages of the same answer.
    for (const gap of batch.gaps) this.deliverGap(gap);
    for (const message of batch.messages) this.deliverMessage(message);
    this.setCursor(batch.cursor);
  }

  private async fetchBatch(
    topics: string[], cursor: string | undefined, backlog: number | undefined, first: boolean, signal: AbortSignal,
  ): Promise<PollResponse> {
    const timeout = new AbortController();
    const stop = (): void => timeout.abort();
    signal.addEventListener('abort', stop, { once: true });
    this.lifetime.signal.addEventListener('abort', stop, { once: true });
    const timer = setTimeout(stop, this.spec.timeoutMs());
    try {
      const conditional = cursor !== undefined && this.spec.conditional?.() === true;
      const url = buildUrl(this.options.baseUrl, this.spec.path, {
        topics: topics.join(','), cursor: conditional ? undefined : cursor, backlog, ...this.spec.query(first),
      });
      const request = {
        method: 'GET' as const, url, token: this.token, headers: this.options.headers, fetch: this.options.fetch, signal: timeout.signal,
      };
      if (!conditional) return await requestJson<PollResponse>(request);
      return await requestJson<PollResponse>({
        ...request,
        headers: { ...request.headers, 'if-none-match': `"${cursor}"` },
        // The 304 must reach this code, not be swapped for a stored 200 by the HTTP
        // cache. Fetch already bypasses the cache for a request that sets its own
        // If-None-Match (Chromium passes the 304 through either way: browser.test.ts);
        // no-store says so explicitly and keeps the answers out of the cache too.
        cache: 'no-store',
        notModified: () => ({ messages: [], gaps: [], cursor, more: false }),
      });
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
      this.lifetime.signal.removeEventListener('abort', stop);
    }
  }
}
