/**
 * Load role: `count` HTTP subscribers of one topic on bare sockets, each
 * speaking its server's dialect (http-dialects.ts): an event stream that
 * stays open, or a long poll re-issued on every answer. Deliveries are
 * counted and order-checked per subscriber (round-counter.ts). With `once`,
 * a long poll is not re-issued after an answer that delivered: the held
 * requests' release is what is measured.
 */
import { connect, type Socket } from 'node:net';
import { DeliveryScanner } from './deliveries.ts';
import { HTTP_DIALECTS, type HttpContext, type PollDialect, type SideRequest, type StreamDialect } from './http-dialects.ts';
import { headEnd, takeResponse } from './http-wire.ts';
import { openAll, type WorkerCommand, type WorkerConfig, type WorkerReport } from './messages.ts';
import { RoundCounter } from './round-counter.ts';

type HttpSubscribersConfig = Extract<WorkerConfig, { role: 'http-subscribers' }>;

/** Fire-and-check a request on a connection of its own (not in the measured path). */
async function sideRequest(ctx: HttpContext, side: SideRequest): Promise<void> {
  const response = await fetch(`http://${ctx.host}:${ctx.port}${side.path}`, { method: side.method, headers: { 'content-type': side.contentType }, body: side.body });
  await response.arrayBuffer();
  if (response.status >= 300) throw new Error(`${side.path} answered ${response.status}`);
}

interface Client {
  close(): void;
}

function openStream(ctx: HttpContext, dialect: StreamDialect, scanner: DeliveryScanner, onError: (why: string) => void): Promise<Client> {
  return new Promise((resolve, reject) => {
    let closing = false;
    let live = false;
    let opened = dialect.openMarker === null;
    let socket: Socket;
    let early: Buffer = Buffer.alloc(0);
    const fail = (why: string): void => {
      if (live) onError(why);
      else reject(new Error(why));
    };
    const client: Client = { close: () => { closing = true; socket.destroy(); } };
    const goLive = (): void => {
      live = true;
      early = Buffer.alloc(0);
      resolve(client);
    };
    const onBody = (chunk: Buffer): void => {
      scanner.feed(chunk);
      if (live) return;
      early = Buffer.concat([early, chunk]);
      if (!opened && dialect.openMarker && early.indexOf(dialect.openMarker) !== -1) {
        opened = true;
        if (dialect.subscribe) sideRequest(ctx, dialect.subscribe(ctx)).catch((error: Error) => fail(error.message));
      }
      if (opened && dialect.liveMarker && early.indexOf(dialect.liveMarker) !== -1) goLive();
    };
    const start = (): void => {
      let head: Buffer | null = Buffer.alloc(0);
      socket = connect({ host: ctx.host, port: ctx.port, noDelay: true });
      socket.once('connect', () => socket.write(dialect.request(ctx)));
      socket.on('error', (error) => fail(error.message));
      socket.on('close', () => {
        if (closing) return;
        if (dialect.reopen && live) start();
        else fail('the stream closed');
      });
      socket.on('data', (chunk: Buffer) => {
        if (head === null) return onBody(chunk);
        head = Buffer.concat([head, chunk]);
        const end = headEnd(head);
        if (end === -1) return;
        const status = head.toString('latin1', 9, 12);
        if (status !== '200') {
          fail(`stream answered ${status}: ${head.toString('utf8', 0, 300)}`);
          socket.destroy();
          return;
        }
        const rest = head.subarray(end + 4);
        head = null;
        if (!live && dialect.liveMarker === null) goLive();
        if (rest.length > 0) onBody(rest);
      });
    };
    start();
  });
}

function openPoll(ctx: HttpContext, dialect: PollDialect, scanner: DeliveryScanner, once: boolean, delivered: () => number, onError: (why: string) => void): Promise<Client> {
  return new Promise((resolve, reject) => {
    const machine = dialect.begin(ctx);
    let closing = false;
    let live = false;
    let data: Buffer = Buffer.alloc(0);
    const fail = (why: string): void => {
      if (closing) return;
      closing = true;
      socket.destroy();
      if (live) onError(why);
      else reject(new Error(why));
    };
    const client: Client = { close: () => { closing = true; socket.destroy(); } };
    const socket = connect({ host: ctx.host, port: ctx.port, noDelay: true });
    socket.once('connect', () => socket.write(machine.first));
    socket.on('error', (error) => fail(error.message));
    socket.on('close', () => fail('the server closed the connection'));
    socket.on('data', (chunk: Buffer) => {
      data = data.length === 0 ? chunk : Buffer.concat([data, chunk]);
      for (;;) {
        const taken = takeResponse(data);
        if (!taken) return;
        data = data.subarray(taken.used);
        const before = delivered();
        scanner.feed(taken.answer.body);
        const step = machine.answer(taken.answer);
        if (step.error) return fail(step.error);
        if (step.side) sideRequest(ctx, step.side).catch((error: Error) => fail(error.message));
        if (step.live && !live) {
          live = true;
          resolve(client);
        }
        const releasedNow = once && live && delivered() > before;
        if (step.next !== null && !releasedNow) socket.write(step.next);
        else if (releasedNow) closing = true; // done: what the server does with the socket next is not counted
      }
    });
  });
}

export class HttpSubscribersRole {
  private readonly clients: Client[] = [];
  private readonly counter: RoundCounter;
  private delivered = 0;

  constructor(private readonly config: HttpSubscribersConfig, private readonly report: (message: WorkerReport) => void) {
    this.counter = new RoundCounter(config.count, report);
  }

  async start(tokens: string[]): Promise<void> {
    const dialect = HTTP_DIALECTS[this.config.dialect];
    const result = await openAll(this.config.count, this.config.concurrency, async (index) => {
      const ctx: HttpContext = {
        host: this.config.host, port: this.config.port, token: tokens[index] ?? this.config.token, topic: this.config.topic,
        waitSeconds: this.config.waitSeconds, sid: `${process.pid.toString(36)}${index.toString(36)}`.padStart(8, '0'),
      };
      const scanner = new DeliveryScanner((messageIndex, stamp) => {
        this.delivered += 1;
        this.counter.delivery(index, messageIndex, stamp);
      });
      const onError = (): void => this.counter.error();
      const client = dialect.kind === 'stream'
        ? await openStream(ctx, dialect, scanner, onError)
        : await openPoll(ctx, dialect, scanner, this.config.once, () => this.delivered, onError);
      this.clients.push(client);
    });
    this.report({ type: 'ready', ...result });
  }

  handle(command: WorkerCommand): void {
    this.counter.handle(command);
  }

  close(): void {
    for (const client of this.clients) client.close();
  }
}
