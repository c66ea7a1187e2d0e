/**
 * Load role: `count` held HTTP requests on bare sockets — long polls that a
 * publish releases, or event streams that stay open. A long poll counts as
 * released when its whole 200 response has arrived and carries a message.
 */
import { connect, type Socket } from 'node:net';
import { nowMicros } from './dialects.ts';
import { cpuMicrosSince, openAll, type WorkerCommand, type WorkerConfig, type WorkerReport } from './messages.ts';

type HeldConfig = Extract<WorkerConfig, { role: 'held' }>;

const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');
const MESSAGE_MARK = Buffer.from('"seq":');

/** Whether `data` holds one whole HTTP response; the status when it does. */
export function completeResponse(data: Buffer): { status: number; body: Buffer } | null {
  const headerEnd = data.indexOf(HEADER_END);
  if (headerEnd === -1) return null;
  const head = data.subarray(0, headerEnd).toString('latin1');
  const status = Number(head.slice(9, 12));
  const body = data.subarray(headerEnd + 4);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) return body.length >= Number(length[1]) ? { status, body } : null;
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    return body.length >= CHUNKED_END.length && body.subarray(body.length - CHUNKED_END.length).equals(CHUNKED_END) ? { status, body } : null;
  }
  return null;
}

export class HeldRole {
  private readonly sockets: Socket[] = [];
  private received = 0;
  private failed = 0;
  private lastAt = 0;
  private ready = false;
  private reported = false;
  private cpuSince = process.cpuUsage();
  private firstError: string | undefined;

  constructor(private readonly config: HeldConfig, private readonly report: (message: WorkerReport) => void) {}

  private path(): string {
    const topics = encodeURIComponent(this.config.topic);
    return this.config.kind === 'sse' ? `/api/events?topics=${topics}` : `/api/longpoll?topics=${topics}&wait=${this.config.waitSeconds}`;
  }

  private request(token: string): string {
    return `GET ${this.path()} HTTP/1.1\r\nHost: ${this.config.host}:${this.config.port}\r\n` +
      `Authorization: Bearer ${token}\r\nAccept: ${this.config.kind === 'sse' ? 'text/event-stream' : 'application/json'}\r\n\r\n`;
  }

  async start(tokens: string[]): Promise<void> {
    const result = await openAll(this.config.count, this.config.concurrency, (index) => this.openOne(this.request(tokens[index] ?? this.config.token)));
    this.ready = true;
    this.cpuSince = process.cpuUsage();
    this.report({ type: 'ready', ...result });
    this.maybeReleased();
  }

  /** Resolves once the request is on the wire (long poll) or the stream's headers arrived (sse). */
  private openOne(request: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.config.host, port: this.config.port, noDelay: true });
      let data: Buffer = Buffer.alloc(0);
      let settled = false;
      const settle = (error?: Error): void => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve();
      };
      socket.once('error', (error) => {
        if (settled) this.onLongPollEnd(false, error.message);
        else settle(error);
      });
      socket.once('connect', () => {
        this.sockets.push(socket);
        socket.write(request, () => {
          if (this.config.kind === 'longpoll') settle();
        });
      });
      socket.on('data', (chunk: Buffer) => {
        if (this.config.kind === 'sse') {
          if (settled) return; // the stream's events are not what this role measures
          data = Buffer.concat([data, chunk]);
          const headerEnd = data.indexOf(HEADER_END);
          if (headerEnd === -1) return;
          const status = data.toString('latin1', 9, 12);
          if (status === '200') settle();
          else settle(new Error(`event stream answered ${status}`));
          return;
        }
        data = data.length === 0 ? chunk : Buffer.concat([data, chunk]);
        const response = completeResponse(data);
        if (!response) return;
        data = Buffer.alloc(0);
        const ok = response.status === 200 && response.body.indexOf(MESSAGE_MARK) !== -1;
        this.onLongPollEnd(ok, ok ? undefined : `long poll answered ${response.status} ${response.body.toString('utf8', 0, 200)}`);
      });
    });
  }

  private onLongPollEnd(ok: boolean, error?: string): void {
    if (this.config.kind !== 'longpoll') return;
    if (ok) {
      this.received += 1;
      this.lastAt = nowMicros();
    } else {
      this.failed += 1;
      this.firstError ??= error;
    }
    this.maybeReleased();
  }

  private maybeReleased(): void {
    if (this.ready && this.received + this.failed >= this.sockets.length) this.sendReleased();
  }

  private sendReleased(): void {
    if (this.reported || this.config.kind !== 'longpoll') return;
    this.reported = true;
    this.report({ type: 'released', received: this.received, failed: this.failed, lastAt: this.lastAt, cpuMicros: cpuMicrosSince(this.cpuSince), error: this.firstError });
  }

  handle(command: WorkerCommand): void {
    if (command.type === 'report') this.sendReleased();
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy();
  }
}
