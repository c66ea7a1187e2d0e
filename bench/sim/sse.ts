/**
 * Server-Sent Events over a raw `http.request`, the stream parsed here (lean:
 * no EventSource object per client). Before opening the stream the client
 * takes a cursor with one `GET /api/poll`, so the stream starts exactly where
 * the subscription did; a dropped stream resumes with `Last-Event-ID`.
 */
import http from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Gap, Message } from '../../src/protocol/index.ts';
import { HttpSimClient } from './client.ts';
import { responseHeadBytes } from './meter.ts';

const RECONNECT_DELAY_MS = 100;

export class SseSimClient extends HttpSimClient {
  protected request: { destroy(): void } | undefined;
  protected lastEventId: string | undefined;
  private buffer = '';
  private timer: NodeJS.Timeout | undefined;
  /** The stream is gzipped: its compressed bytes are the bodies, not the data values. */
  private gzipped = false;

  async open(): Promise<void> {
    await this.takeSession();
    // A client that only publishes (fanout's ticker) opens no receive path.
    if (this.options.topics.length === 0) return;
    // On the receive connection, which the stream then reuses: one socket per subscriber.
    const first = await this.exchange({
      agent: this.receiveAgent,
      meter: this.meter,
      baseUrl: this.options.baseUrl,
      method: 'GET',
      path: `/api/poll?${this.topicQuery()}`,
      headers: this.authHeaders(),
      timeoutMs: this.options.stepTimeoutMs,
    });
    this.deliver(first.body);
    await this.connect();
  }

  protected connect(): Promise<void> {
    const headers: Record<string, string> = { ...this.authHeaders(), accept: 'text/event-stream' };
    if (this.lastEventId !== undefined) headers['last-event-id'] = this.lastEventId;
    return new Promise<void>((resolve, reject) => {
      const request = http.request({
        agent: this.receiveAgent,
        host: this.options.baseUrl.hostname,
        port: this.options.baseUrl.port,
        path: `/api/events?${this.topicQuery()}`,
        headers,
      });
      this.request = request;
      const timer = setTimeout(() => request.destroy(new Error('event stream did not open in time')), this.options.stepTimeoutMs);
      request.on('socket', (socket) => this.meter.track(socket));
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
        this.reconnect(`sse: ${error.message}`);
      });
      request.on('response', (response) => {
        clearTimeout(timer);
        this.meter.receivedHead(
          responseHeadBytes(response.httpVersion, response.statusCode ?? 0, response.statusMessage ?? '', response.rawHeaders),
        );
        this.options.sink.request(false);
        if (response.statusCode !== 200) {
          reject(new Error(`GET /api/events → ${response.statusCode}`));
          response.resume();
          return;
        }
        this.read(response, response.headers['content-encoding']);
        response.on('end', () => this.reconnect('sse: stream ended'));
        response.on('error', () => undefined);
        resolve();
      });
      request.end();
    });
  }

  /**
   * Parses the stream's body as it comes (HTTP/1.1 here, an h2 stream in
   * h2-sse.ts). A gzipped stream (`--compression`) is counted as the
   * server counts it: every compressed byte is body (over HTTP/1.1 the chunk
   * lines are the framing), then inflated and parsed.
   */
  protected read(body: Readable, contentEncoding: string | undefined): void {
    this.gzipped = contentEncoding === 'gzip';
    if (this.gzipped) {
      body.on('data', (chunk: Buffer) => this.meter.receivedBody(chunk.length));
      const gunzip = createGunzip();
      gunzip.on('error', () => undefined);
      body.pipe(gunzip).setEncoding('utf8').on('data', (chunk: string) => this.parse(chunk));
    } else {
      body.setEncoding('utf8');
      body.on('data', (chunk: string) => this.parse(chunk));
    }
  }

  protected reconnect(why: string): void {
    if (this.stopped) return;
    this.options.sink.error(this.options.index, why);
    this.buffer = '';
    // An SSE id is the cursor after that event (PROTOCOL.md § Receiving).
    if (this.lastEventId !== undefined) this.cursor = this.lastEventId;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.connect().catch(() => undefined);
    }, RECONNECT_DELAY_MS);
  }

  protected parse(chunk: string): void {
    this.buffer += chunk;
    let end = this.buffer.indexOf('\n\n');
    while (end >= 0) {
      this.dispatch(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end + 2);
      end = this.buffer.indexOf('\n\n');
    }
  }

  private dispatch(block: string): void {
    let event = 'message';
    let data = '';
    let dataBytes = 0;
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'id') this.lastEventId = value;
      else if (field === 'data') {
        data = data === '' ? value : `${data}\n${value}`;
        dataBytes += Buffer.byteLength(value);
      }
    }
    if (data === '') return;
    if (!this.gzipped) this.meter.receivedBody(dataBytes);
    if (event === 'message') this.options.sink.message(this.options.index, JSON.parse(data) as Message);
    else if (event === 'gap') this.options.sink.gap(this.options.index, JSON.parse(data) as Gap);
  }

  /** The stream stays open: it moves nothing while nothing is published. */
  async quiesce(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sendsSettled();
  }

  override close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.request?.destroy();
    super.close();
  }
}
