/**
 * Reads the bytes one pane's delay proxy carries (its `onChunk` tap) and keeps
 * the newest receive request and response, the newest publish, and the newest
 * WebSocket frame each way, for the wire inspector. HTTP/1.1 without
 * pipelining is a run of request bytes then a run of response bytes on each
 * connection, so a new `up` run after `down` bytes starts the next exchange.
 */
import type { ProxyDirection } from '../net/delay-proxy.ts';
import type { TransportName } from '../protocol/index.ts';
import type { FrameView, HttpExchangeView, WireBytes, WireSnapshot } from './types.ts';
import { RECENT_FRAMES } from './types.ts';
import { FrameReader } from './ws-frames.ts';
import type { WireFrame } from './ws-frames.ts';

/** Kept from the start of each side (the headers) and from its end (the newest events). */
const HEAD_BYTES = 4 * 1024;
const TAIL_BYTES = 12 * 1024;
const RECEIVE_PATHS = ['/api/poll', '/api/longpoll', '/api/events'];
/**
 * The proxy tells of chunks, not of closes: the oldest connections are
 * forgotten past this many (a pane holds one or two at a time).
 */
const MAX_CONNECTIONS = 64;

/** One side of an exchange: its first bytes and its newest bytes. */
class KeptBytes {
  private head: Buffer[] = [];
  private headLength = 0;
  private tail: Buffer[] = [];
  private tailLength = 0;
  length = 0;

  add(chunk: Buffer): void {
    this.length += chunk.length;
    if (this.headLength < HEAD_BYTES) {
      const part = chunk.subarray(0, HEAD_BYTES - this.headLength);
      this.head.push(part);
      this.headLength += part.length;
      chunk = chunk.subarray(part.length);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailLength += chunk.length;
    while (this.tailLength - this.tail[0].length >= TAIL_BYTES) this.tailLength -= this.tail.shift()!.length;
  }

  headText(): string {
    return Buffer.concat(this.head).toString('latin1');
  }

  view(): WireBytes {
    let tail = Buffer.concat(this.tail);
    if (tail.length > TAIL_BYTES) tail = tail.subarray(tail.length - TAIL_BYTES);
    const kept = Buffer.concat([...this.head, tail]);
    return { base64: kept.toString('base64'), length: this.length, omitted: this.length - kept.length };
  }
}

class Exchange {
  readonly at = Date.now();
  readonly request = new KeptBytes();
  readonly response = new KeptBytes();

  requestLine(): string {
    const head = this.request.headText();
    const end = head.indexOf('\r\n');
    return end < 0 ? head : head.slice(0, end);
  }

  view(): HttpExchangeView {
    return { at: this.at, requestLine: this.requestLine(), request: this.request.view(), response: this.response.view() };
  }
}

interface ConnectionState {
  exchange: Exchange | null;
  /** Set once a 101 answer switched the connection to WebSocket frames. */
  frames: Record<ProxyDirection, FrameReader> | null;
}

export class WireTap {
  private readonly connections = new Map<number, ConnectionState>();
  private receive: Exchange | null = null;
  private publish: Exchange | null = null;
  private readonly frames: FrameView[] = [];

  constructor(readonly transport: TransportName) {}

  /** The proxy's `onChunk`. */
  readonly onChunk = (conn: number, direction: ProxyDirection, chunk: Buffer): void => {
    let state = this.connections.get(conn);
    if (!state) {
      state = { exchange: null, frames: null };
      this.connections.set(conn, state);
      if (this.connections.size > MAX_CONNECTIONS) this.connections.delete(this.connections.keys().next().value!);
    }
    if (state.frames) {
      for (const frame of state.frames[direction].push(chunk)) this.keepFrame(direction, frame);
      return;
    }
    if (direction === 'up') {
      if (!state.exchange || state.exchange.response.length > 0) state.exchange = new Exchange();
      state.exchange.request.add(chunk);
      return;
    }
    const exchange = state.exchange;
    if (!exchange) return;
    exchange.response.add(chunk);
    this.classify(exchange);
    this.maybeUpgrade(state, exchange, chunk);
  };

  snapshot(): WireSnapshot {
    return {
      transport: this.transport,
      receive: this.receive?.view() ?? null,
      publish: this.publish?.view() ?? null,
      frames: [...this.frames],
    };
  }

  private classify(exchange: Exchange): void {
    const line = exchange.requestLine();
    const [method = '', target = ''] = line.split(' ');
    const path = target.split('?')[0];
    if (method === 'GET' && RECEIVE_PATHS.includes(path)) this.receive = exchange;
    else if (method === 'POST' && path === '/api/messages') this.publish = exchange;
  }

  private maybeUpgrade(state: ConnectionState, exchange: Exchange, chunk: Buffer): void {
    const head = exchange.response.headText();
    if (!head.startsWith('HTTP/1.1 101')) return;
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    state.frames = { up: new FrameReader(), down: new FrameReader() };
    // Frames may follow the 101 answer in the same chunk.
    const already = exchange.response.length - chunk.length;
    const rest = chunk.subarray(Math.max(0, end + 4 - already));
    if (rest.length > 0) for (const frame of state.frames.down.push(rest)) this.keepFrame('down', frame);
  }

  private keepFrame(direction: ProxyDirection, frame: WireFrame): void {
    // Pings, pongs and closes are bookkeeping; the inspector shows the data frames.
    if (frame.opcode !== 1 && frame.opcode !== 2) return;
    this.frames.push({
      at: Date.now(),
      direction,
      opcode: frame.opcode,
      fin: frame.fin,
      headerLength: frame.headerLength,
      maskLength: frame.maskLength,
      payloadLength: frame.payloadLength,
      base64: frame.bytes.toString('base64'),
      text: frame.text,
    });
    if (this.frames.length > RECENT_FRAMES) this.frames.shift();
  }
}
