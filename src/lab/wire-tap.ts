/**
 * Reads the bytes one pane's delay proxy carries (its `onChunk` tap) and keeps
 * the newest receive request and response, the newest publish, and the newest
 * WebSocket frame each way, for the wire inspector. HTTP/1.1 without
 * pipelining is a run of request bytes then a run of response bytes on each
 * connection, so a new `up` run after `down` bytes starts the next exchange.
 *
 * Traffic is kept per session (the token a request head presents), and only
 * that session's holder may read it: a class shares the panes' proxies, and
 * one attendee must not read another's requests. What is shown has its
 * secrets masked (redact.ts).
 */
import type { ProxyDirection } from '../net/delay-proxy.ts';
import type { TransportName } from '../protocol/index.ts';
import type { FrameView, HttpExchangeView, WireBytes, WireSnapshot } from './types.ts';
import { RECENT_FRAMES } from './types.ts';
import { SESSION_COOKIE } from '../server/auth.ts';
import { presentedToken, redactHead } from './redact.ts';
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
/** Sessions whose traffic is kept per pane proxy; the least recently active is forgotten first. */
export const MAX_WIRE_OWNERS = 32;

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

  /** The kept bytes, secrets masked (same length). */
  view(): WireBytes {
    let tail = Buffer.concat(this.tail);
    if (tail.length > TAIL_BYTES) tail = tail.subarray(tail.length - TAIL_BYTES);
    const head = Buffer.concat(this.head);
    let kept: Buffer;
    if (head.includes('\r\n\r\n') || tail.length === 0) {
      kept = redactHead(Buffer.concat([head, tail]));
    } else {
      // A head longer than HEAD_BYTES: its rest may hold secrets this cut cannot parse, so it is masked whole.
      kept = Buffer.concat([redactHead(head), Buffer.alloc(tail.length, '*')]);
    }
    return { base64: kept.toString('base64'), length: this.length, omitted: this.length - kept.length };
  }
}

class Exchange {
  readonly at = Date.now();
  readonly request = new KeptBytes();
  readonly response = new KeptBytes();

  /** The session token the request presents (undefined: no session, nobody's to show). */
  owner(): string | undefined {
    return presentedToken(this.request.headText(), SESSION_COOKIE);
  }

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
  /** The session whose handshake opened the WebSocket. */
  owner: string | undefined;
}

/** What one session moved through this proxy. */
interface OwnerTraffic {
  receive: Exchange | null;
  publish: Exchange | null;
  frames: FrameView[];
}

export class WireTap {
  private readonly connections = new Map<number, ConnectionState>();
  /** Keyed by session token, oldest activity first. */
  private readonly owners = new Map<string, OwnerTraffic>();

  constructor(readonly transport: TransportName) {}

  /** The proxy's `onChunk`. */
  readonly onChunk = (conn: number, direction: ProxyDirection, chunk: Buffer): void => {
    let state = this.connections.get(conn);
    if (!state) {
      state = { exchange: null, frames: null, owner: undefined };
      this.connections.set(conn, state);
      if (this.connections.size > MAX_CONNECTIONS) this.connections.delete(this.connections.keys().next().value!);
    }
    if (state.frames) {
      for (const frame of state.frames[direction].push(chunk)) this.keepFrame(state.owner, direction, frame);
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

  /** The traffic of the session `token` (the asker's own pane), secrets masked. */
  snapshot(token: string): WireSnapshot {
    const traffic = this.owners.get(token);
    return {
      transport: this.transport,
      receive: traffic?.receive?.view() ?? null,
      publish: traffic?.publish?.view() ?? null,
      frames: traffic ? [...traffic.frames] : [],
    };
  }

  /** The session's traffic record, made on first use and marked most recently active. */
  private traffic(owner: string): OwnerTraffic {
    let traffic = this.owners.get(owner);
    if (traffic) this.owners.delete(owner);
    traffic ??= { receive: null, publish: null, frames: [] };
    this.owners.set(owner, traffic);
    if (this.owners.size > MAX_WIRE_OWNERS) this.owners.delete(this.owners.keys().next().value!);
    return traffic;
  }

  private classify(exchange: Exchange): void {
    const line = exchange.requestLine();
    const [method = '', target = ''] = line.split(' ');
    const path = target.split('?')[0];
    const receive = method === 'GET' && RECEIVE_PATHS.includes(path);
    const publish = method === 'POST' && path === '/api/messages';
    if (!receive && !publish) return;
    const owner = exchange.owner();
    if (owner === undefined) return;
    const traffic = this.traffic(owner);
    if (receive) traffic.receive = exchange;
    else traffic.publish = exchange;
  }

  private maybeUpgrade(state: ConnectionState, exchange: Exchange, chunk: Buffer): void {
    const head = exchange.response.headText();
    if (!head.startsWith('HTTP/1.1 101')) return;
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    state.frames = { up: new FrameReader(), down: new FrameReader() };
    state.owner = exchange.owner();
    // Frames may follow the 101 answer in the same chunk.
    const already = exchange.response.length - chunk.length;
    const rest = chunk.subarray(Math.max(0, end + 4 - already));
    if (rest.length > 0) for (const frame of state.frames.down.push(rest)) this.keepFrame(state.owner, 'down', frame);
  }

  private keepFrame(owner: string | undefined, direction: ProxyDirection, frame: WireFrame): void {
    // Pings, pongs and closes are bookkeeping; the inspector shows the data frames.
    if (owner === undefined || (frame.opcode !== 1 && frame.opcode !== 2)) return;
    const frames = this.traffic(owner).frames;
    frames.push({
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
    if (frames.length > RECENT_FRAMES) frames.shift();
  }
}
