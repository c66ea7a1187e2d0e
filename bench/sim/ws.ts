/**
 * WebSocket through the `ws` package: one connection for both directions,
 * publishes as `publish` frames acknowledged by `ack` frames with the same
 * `ref`. permessage-deflate is off so that a frame's payload is the JSON the
 * accounting sees (and the 2- / 6-byte frame headers of RFC 6455 hold).
 */
import WebSocket from 'ws';
import type { PublishResult, ServerFrame } from '../../src/protocol/index.ts';
import type { ClientSink, SimClient, SimClientOptions } from './client.ts';
import { exchange, clientAgent } from './http.ts';
import { clientFrameHeaderBytes, responseHeadBytes, WireMeter } from './meter.ts';
import { inflatedPayloads } from './ws-inflate.ts';

const RECONNECT_DELAY_MS = 100;

interface Pending {
  resolve(result: PublishResult): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class WsSimClient implements SimClient {
  readonly meter = new WireMeter();
  private socket: WebSocket | undefined;
  private token = '';
  private cursor: string | undefined;
  private nextRef = 1;
  private readonly pending = new Map<string, Pending>();
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly sink: ClientSink;

  constructor(private readonly options: SimClientOptions) {
    this.sink = options.sink;
  }

  async open(): Promise<void> {
    const agent = clientAgent(1);
    try {
      const answer = await exchange({
        agent,
        meter: this.meter,
        baseUrl: this.options.baseUrl,
        method: 'POST',
        path: '/api/session',
        headers: {},
        body: JSON.stringify({ name: this.options.name }),
        timeoutMs: this.options.stepTimeoutMs,
      });
      this.token = (JSON.parse(answer.body) as { token: string }).token;
    } finally {
      agent.destroy();
    }
    await this.connect();
  }

  private connect(): Promise<void> {
    const url = new URL('/ws', this.options.baseUrl);
    url.protocol = 'ws:';
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.token}` },
      // Off unless `--compression`: then the server's messages come deflated (this client sends its own plain).
      perMessageDeflate: this.options.compression === true,
      handshakeTimeout: this.options.stepTimeoutMs,
    });
    this.socket = socket;
    let compressedSize: () => number | undefined = () => undefined;
    // First of the 'open' listeners: wraps the extension before any message arrives.
    socket.on('open', () => { compressedSize = inflatedPayloads(socket); });
    socket.on('upgrade', (response) => {
      this.meter.track(response.socket);
      this.meter.receivedHead(
        responseHeadBytes(response.httpVersion, response.statusCode ?? 101, response.statusMessage ?? '', response.rawHeaders),
      );
      this.sink.request(false);
    });
    return new Promise<void>((resolve, reject) => {
      const ref = this.ref();
      const timer = setTimeout(() => reject(new Error('no subscribed frame in time')), this.options.stepTimeoutMs);
      socket.on('open', () => {
        const frame: Record<string, unknown> = { op: 'subscribe', topics: this.options.topics, ref };
        if (this.cursor !== undefined) frame.cursor = this.cursor;
        if (this.options.topics.length > 0) this.send(frame);
        else {
          clearTimeout(timer);
          resolve();
        }
      });
      socket.on('message', (data: Buffer) => {
        this.meter.receivedBody(compressedSize() ?? data.length);
        const frame = JSON.parse(data.toString('utf8')) as ServerFrame;
        if (frame.op === 'subscribed' && frame.ref === ref) {
          clearTimeout(timer);
          if (this.cursor === undefined) this.cursor = frame.cursor;
          resolve();
        } else this.onFrame(frame);
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.on('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`closed ${code} before subscribing`));
        if (this.stopped) return;
        this.sink.error(this.options.index, `ws: closed ${code}`);
        this.timer = setTimeout(() => this.connect().catch(() => undefined), RECONNECT_DELAY_MS);
      });
    });
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.op) {
      case 'message':
        this.cursor = frame.cursor;
        this.sink.message(this.options.index, frame);
        return;
      case 'gap':
        this.sink.gap(this.options.index, frame);
        return;
      case 'ack':
      case 'error': {
        const waiter = frame.ref === undefined ? undefined : this.pending.get(frame.ref);
        if (!waiter || frame.ref === undefined) {
          if (frame.op === 'error') this.sink.error(this.options.index, `ws: ${frame.code} ${frame.message}`);
          return;
        }
        this.pending.delete(frame.ref);
        clearTimeout(waiter.timer);
        if (frame.op === 'ack') waiter.resolve({ topic: frame.topic, seq: frame.seq, id: frame.id, ts: frame.ts });
        else waiter.reject(new Error(`ws publish: ${frame.code} ${frame.message}`));
        return;
      }
      default:
        return;
    }
  }

  private ref(): string {
    return String(this.nextRef++);
  }

  private send(frame: Record<string, unknown>): void {
    const text = JSON.stringify(frame);
    const bytes = Buffer.byteLength(text);
    this.meter.sentBody(bytes);
    this.meter.sentFraming(clientFrameHeaderBytes(bytes));
    // Plain even with permessage-deflate negotiated: the frame's size is then known here.
    this.socket?.send(text, { compress: false });
  }

  publish(topic: string, body: string, id: string): Promise<PublishResult> {
    if (this.socket?.readyState !== WebSocket.OPEN) return Promise.reject(new Error('ws publish: not connected'));
    const ref = this.ref();
    return new Promise<PublishResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        const waiter = this.pending.get(ref);
        this.pending.delete(ref);
        waiter?.reject(new Error('ws publish: no ack in time'));
      }, this.options.stepTimeoutMs);
      this.pending.set(ref, { resolve, reject, timer });
      this.send({ op: 'publish', topic, body, id, ref });
    });
  }

  /** Nothing to hold back: a WebSocket sends only when it publishes. */
  async pause(): Promise<void> {}

  resume(): void {}

  async quiesce(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const waits = [...this.pending.values()].map(
      (waiter) =>
        new Promise<void>((resolve) => {
          const { resolve: done, reject } = waiter;
          waiter.resolve = (result) => (done(result), resolve());
          waiter.reject = (error) => (reject(error), resolve());
        }),
    );
    await Promise.all(waits);
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const waiter of this.pending.values()) clearTimeout(waiter.timer);
    this.pending.clear();
    this.socket?.terminate();
  }
}
