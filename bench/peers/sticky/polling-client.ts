/**
 * One lean long-polling subscriber of the sticky part, on a bare keep-alive
 * socket from a loopback address of its own (127.0.x.y: all of 127/8 is this
 * machine), so that nginx's sticky variant (`hash $remote_addr`) can tell the
 * clients apart. It speaks a peer's dialect (load/http-dialects.ts: engine.io
 * polling, or our long poll with its cursor) and, when a request fails, starts
 * over with a new handshake after socket.io-client's reconnection backoff —
 * what a real client does after a 400 "Session ID unknown".
 */
import { connect, type Socket } from 'node:net';
import { DeliveryScanner } from '../load/deliveries.ts';
import type { HttpContext, PollDialect, PollStep, SideRequest } from '../load/http-dialects.ts';
import { requestText, takeResponse, type HttpAnswer } from '../load/http-wire.ts';

/** What every client of a run adds to. */
export class StickyTally {
  requests = 0;
  failedRequests = 0;
  sessionIdUnknown = 0;
  reconnects = 0;
  readonly failureReasons: Record<string, number> = {};
  readonly upstreams = new Set<string>();

  answer(answer: HttpAnswer): void {
    this.requests += 1;
    const upstream = /\r\nx-lab-upstream:\s*([^\r]+)/i.exec(answer.head)?.[1];
    if (upstream) this.upstreams.add(upstream.trim());
    if (answer.status >= 300) this.failedRequests += 1;
    if (answer.status === 400 && answer.body.includes('Session ID unknown')) this.sessionIdUnknown += 1;
  }

  failure(reason: string): void {
    // The reason without ids and numbers that differ per client, so that equal causes add up.
    const key = reason.replace(/"sid":"[^"]*"/g, '"sid":…').slice(0, 120);
    this.failureReasons[key] = (this.failureReasons[key] ?? 0) + 1;
  }
}

export interface PollingClientOptions {
  ctx: HttpContext;
  /** The loopback address this client's sockets come from. */
  localAddress: string;
  dialect: PollDialect;
  tally: StickyTally;
  reconnectDelayMs: number;
  reconnectDelayMaxMs: number;
}

export class PollingClient {
  /** Message indexes received, each once. */
  readonly received = new Set<number>();
  duplicates = 0;
  /** True once the room acknowledged this client at least once. */
  subscribed = false;
  #socket: Socket | null = null;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  #attempt = 0;
  readonly #scanner = new DeliveryScanner((index) => {
    if (this.received.has(index)) this.duplicates += 1;
    else this.received.add(index);
  });

  constructor(private readonly options: PollingClientOptions) {}

  start(): void {
    if (this.#closed) return;
    const { ctx, dialect, tally } = this.options;
    const machine = dialect.begin(ctx);
    let data: Buffer = Buffer.alloc(0);
    let done = false;
    const socket = connect({ host: ctx.host, port: ctx.port, localAddress: this.options.localAddress, noDelay: true });
    this.#socket = socket;
    const fail = (reason: string): void => {
      if (done || this.#closed) return;
      done = true;
      socket.destroy();
      tally.failure(reason);
      this.#retry();
    };
    socket.once('connect', () => socket.write(machine.first));
    socket.on('error', (error) => fail(`socket: ${error.message}`));
    socket.on('close', () => fail('the connection closed'));
    socket.on('data', (chunk: Buffer) => {
      data = data.length === 0 ? chunk : Buffer.concat([data, chunk]);
      for (;;) {
        const taken = takeResponse(data);
        if (!taken || done) return;
        data = data.subarray(taken.used);
        tally.answer(taken.answer);
        if (taken.answer.status < 300) this.#scanner.feed(taken.answer.body);
        const step: PollStep = machine.answer(taken.answer);
        if (step.error) return fail(step.error);
        if (step.live) {
          this.subscribed = true;
          this.#attempt = 0;
        }
        if (step.side) this.#side(step.side).catch((error: Error) => fail(error.message));
        if (step.next === null) return fail('the dialect stopped');
        socket.write(step.next);
      }
    });
  }

  /** socket.io-client's backoff: the delay doubles from reconnectDelayMs up to its cap. */
  #retry(): void {
    if (this.#closed) return;
    this.options.tally.reconnects += 1;
    const delay = Math.min(this.options.reconnectDelayMs * 2 ** this.#attempt, this.options.reconnectDelayMaxMs);
    this.#attempt += 1;
    this.#timer = setTimeout(() => this.start(), delay);
  }

  /** A request outside the held one (engine.io's pong), from the same address, on a socket of its own. */
  #side(side: SideRequest): Promise<void> {
    const { ctx, tally } = this.options;
    return new Promise((resolve, reject) => {
      const socket = connect({ host: ctx.host, port: ctx.port, localAddress: this.options.localAddress });
      let data: Buffer = Buffer.alloc(0);
      socket.once('connect', () => socket.write(requestText(side.method, side.path, ctx.host, ctx.port, { 'Content-Type': side.contentType, Connection: 'close' }, side.body)));
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        data = Buffer.concat([data, chunk]);
        const taken = takeResponse(data);
        if (!taken) return;
        socket.destroy();
        tally.answer(taken.answer);
        if (taken.answer.status >= 300) reject(new Error(`${side.path.split('?')[0]} answered ${taken.answer.status} ${taken.answer.body.toString('utf8', 0, 120)}`));
        else resolve();
      });
    });
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#socket?.destroy();
  }
}

/** The loopback address of client `index`: 127.0.10.1, 127.0.10.2, … (250 per third byte). */
export function clientAddress(index: number): string {
  return `127.0.${10 + Math.floor(index / 250)}.${1 + (index % 250)}`;
}
