import { LabError } from '../protocol/index.ts';
import type { ClientFrame, PublishResult, ServerFrame } from '../protocol/index.ts';
import { sleep } from './backoff.ts';
import { BaseClient, closedError, mergeTopics } from './base.ts';
import { NetworkError, buildUrl } from './http.ts';
import { closeError, openWebSocket } from './platform.ts';
import type { OpenSocket } from './platform.ts';
import type { SubscribeOptions } from './types.ts';
import { Watchdog } from './watchdog.ts';

type Reply = ServerFrame & { op: 'subscribed' | 'ack' };

/** A frame waiting for its `subscribed` or `ack`, kept so that it can be sent again after a reconnect. */
interface Pending {
  frame: ClientFrame & { ref: string };
  /** The socket it was last written to; a new socket gets it again. */
  sentOn: OpenSocket | undefined;
  /** The resubscribe of a reconnect: it belongs to one socket and dies with it. */
  internal: boolean;
  resolve(reply: Reply): void;
  reject(error: unknown): void;
}

/**
 * WebSocket: one full-duplex socket for everything. Each request frame has a
 * `ref`; the matching `subscribed`/`ack` resolves it and an `error` frame
 * rejects it. After a drop the client reopens, resubscribes its topics from
 * its cursor, then sends again every frame that had no answer — safe for
 * publishes, whose `id` makes the server store them once.
 */
export class WsClient extends BaseClient {
  readonly transport = 'ws';
  private socket: OpenSocket | undefined;
  /** Insertion order is ref order, so frames are sent again in the order they were made. */
  private readonly pending = new Map<string, Pending>();
  private refCounter = 0;
  private reconnecting = false;
  /** The current socket's heartbeat: our pings, and the watchdog that drops a socket gone silent. */
  private heartbeat: { pinger: ReturnType<typeof setInterval>; watchdog: Watchdog } | undefined;

  async subscribe(topics: string[], options: SubscribeOptions = {}): Promise<void> {
    await this.ready();
    await this.request({ op: 'subscribe', topics, cursor: options.cursor, backlog: options.backlog });
    this.topics = mergeTopics(this.topics, topics);
  }

  async publish(topic: string, body: string, id = this.nextId()): Promise<PublishResult> {
    await this.ready();
    const ack = await this.request({ op: 'publish', topic, body, id });
    if (ack.op !== 'ack') throw new LabError('bad_request', `expected an ack, got ${ack.op}`);
    return { topic: ack.topic, seq: ack.seq, id: ack.id, ts: ack.ts };
  }

  protected override async open(): Promise<void> {
    await this.attach();
  }

  protected async shutdown(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    this.stopHeartbeat();
    socket?.close(1000, 'client closed');
    this.rejectPending(() => true, closedError());
  }

  /** Opens a socket, resubscribes what we hold from our cursor, and sends again what had no answer. */
  private async attach(): Promise<void> {
    const url = buildUrl(this.options.baseUrl, '/ws', { token: this.token });
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    // The close handler runs only after open, when `socket` is set.
    const socket: OpenSocket = await openWebSocket(url.href, {
      message: (text) => this.receive(text),
      close: (code, reason) => {
        if (socket === this.socket) this.dropped(code, reason);
      },
      alive: () => {
        if (socket === this.socket) this.heartbeat?.watchdog.feed();
      },
    }, { handshakeTimeoutMs: this.options.requestTimeoutMs, compression: this.options.compression });
    if (this.closed) {
      socket.close(1000, 'client closed');
      throw closedError();
    }
    this.socket = socket;
    this.startHeartbeat(socket);
    if (this.topics.length > 0) {
      await this.request({ op: 'subscribe', topics: this.topics, cursor: this.cursor }, true);
    }
    for (const entry of this.pending.values()) this.send(entry);
    // Not markConnected(): a server may accept the handshake and close at once
    // (1008, 1013); backoff resets only when frames flow (see receive).
    this.setState('connected');
  }

  /**
   * Pings every wsPingIntervalMs; a socket that brings nothing back (no pong,
   * ping or frame) for wsPingIntervalMs + wsPongTimeoutMs is terminated, which
   * reconnects as any drop does. A NAT that forgot the connection sends no FIN:
   * without this the client would wait for TCP to give up, minutes later.
   */
  private startHeartbeat(socket: OpenSocket): void {
    this.stopHeartbeat();
    const { wsPingIntervalMs, wsPongTimeoutMs } = this.options;
    if (wsPingIntervalMs === 0 || !socket.ping) return;
    const watchdog = new Watchdog(wsPingIntervalMs + wsPongTimeoutMs, () => {
      if (socket === this.socket) socket.terminate();
    });
    const pinger = setInterval(() => {
      try {
        socket.ping?.();
      } catch {
        // The socket is closing: its close event reconnects.
      }
    }, wsPingIntervalMs);
    this.heartbeat = { pinger, watchdog };
  }

  private stopHeartbeat(): void {
    if (!this.heartbeat) return;
    clearInterval(this.heartbeat.pinger);
    this.heartbeat.watchdog.stop();
    this.heartbeat = undefined;
  }

  private request(frame: ClientFrame, internal = false): Promise<Reply> {
    this.refCounter += 1;
    const ref = String(this.refCounter);
    return new Promise((resolve, reject) => {
      const entry: Pending = { frame: { ...frame, ref }, sentOn: undefined, internal, resolve, reject };
      this.pending.set(ref, entry);
      this.send(entry);
    });
  }

  private send(entry: Pending): void {
    const socket = this.socket;
    if (!socket || entry.sentOn === socket) return;
    entry.sentOn = socket;
    socket.send(JSON.stringify(entry.frame));
  }

  private receive(text: string): void {
    const frame = this.parseServerJson<ServerFrame>(text);
    if (!frame) return;
    this.backoff.reset();
    switch (frame.op) {
      case 'message': {
        const { op: _op, cursor, ...message } = frame;
        this.setCursor(cursor);
        this.deliverMessage(message);
        return;
      }
      case 'gap': {
        const { op: _op, ...gap } = frame;
        this.deliverGap(gap);
        return;
      }
      case 'subscribed':
        this.setCursor(frame.cursor);
        this.settle(frame.ref, (entry) => entry.resolve(frame));
        return;
      case 'ack':
        this.settle(frame.ref, (entry) => entry.resolve(frame));
        return;
      case 'error': {
        const error = new LabError(frame.code, frame.message);
        if (!this.settle(frame.ref, (entry) => entry.reject(error))) this.emitError(error);
        return;
      }
    }
  }

  private settle(ref: string | undefined, how: (entry: Pending) => void): boolean {
    const entry = ref === undefined ? undefined : this.pending.get(ref);
    if (!entry) return false;
    this.pending.delete(entry.frame.ref);
    how(entry);
    return true;
  }

  private rejectPending(which: (entry: Pending) => boolean, error: unknown): number {
    let count = 0;
    for (const entry of [...this.pending.values()]) {
      if (!which(entry)) continue;
      this.pending.delete(entry.frame.ref);
      entry.reject(error);
      count += 1;
    }
    return count;
  }

  /**
   * The server or the network closed the socket. A close that names a fault
   * settles what caused it: `forbidden` the unanswered subscribes (we come back
   * without those topics), `payload_too_large` the unanswered publishes (we
   * cannot tell which frame was too big). Then reconnect.
   */
  private dropped(code: number, reason: string): void {
    this.socket = undefined;
    this.stopHeartbeat();
    const error = closeError(code, reason);
    // A reconnect waiting for its resubscribe learns here that this socket failed too.
    this.rejectPending((entry) => entry.internal, error ?? new NetworkError(`WebSocket closed (${code})`));
    if (error?.code === 'payload_too_large' && this.rejectPending((entry) => entry.frame.op === 'publish', error) > 0) {
      this.reconnect(undefined);
      return;
    }
    this.reconnect(error);
  }

  /** Reopens after a drop; `cause` (the close's fault) is judged first: wait longer, renew the session, or give up. */
  private reconnect(cause: LabError | undefined): void {
    if (this.reconnecting || this.closed) return;
    this.reconnecting = true;
    this.setState('reconnecting');
    void (async () => {
      try {
        const verdict = cause ? await this.judgeFailure(cause) : { retryInMs: this.backoff.next() };
        if ('fatal' in verdict) throw verdict.fatal;
        await sleep(verdict.retryInMs, this.lifetime.signal);
        await this.retry(() => this.attach());
      } catch (error) {
        this.rejectPending(() => true, error);
        this.fail(error instanceof LabError ? error : new LabError('bad_request', String(error)));
      } finally {
        this.reconnecting = false;
      }
    })();
  }
}
