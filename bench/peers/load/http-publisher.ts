/**
 * Load role: one HTTP publisher, `POST /api/messages` pipelined on one
 * keep-alive socket — one connection, so the server sees the publishes in
 * the order they were sent and every subscriber can check that order.
 * `window` > 0 saturates (at most `window` unanswered); `ratePerSecond`
 * paces an open-loop schedule. Every server of an HTTP fan-out (ours and
 * the references) is published to by this same client.
 */
import { connect, type Socket } from 'node:net';
import { nowMicros, stampedBody } from './dialects.ts';
import { requestText, takeResponse } from './http-wire.ts';
import { cpuMicrosSince, type WorkerCommand, type WorkerConfig, type WorkerReport } from './messages.ts';

type HttpPublisherConfig = Extract<WorkerConfig, { role: 'http-publisher' }>;
type PublishCommand = Extract<WorkerCommand, { type: 'publish' }>;

export class HttpPublisherRole {
  private socket: Socket | null = null;
  private token = '';
  private data: Buffer = Buffer.alloc(0);
  private command: PublishCommand | null = null;
  private sent = 0;
  private acked = 0;
  private failed = 0;
  private firstError: string | undefined;
  private startedAt = 0;
  private cpuSince = process.cpuUsage();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly config: HttpPublisherConfig, private readonly report: (message: WorkerReport) => void) {}

  async start(tokens: string[]): Promise<void> {
    this.token = tokens[0] ?? this.config.token;
    try {
      this.socket = await new Promise<Socket>((resolve, reject) => {
        const socket = connect({ host: this.config.host, port: this.config.port, noDelay: true });
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      });
      this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
      this.socket.on('close', () => this.finish('the server closed the publisher connection'));
      this.socket.on('error', () => undefined);
      this.report({ type: 'ready', opened: 1, failed: 0 });
    } catch (error) {
      this.report({ type: 'ready', opened: 0, failed: 1, error: (error as Error).message });
    }
  }

  handle(command: WorkerCommand): void {
    if (command.type === 'publish') {
      this.command = command;
      this.sent = 0;
      this.acked = 0;
      this.failed = 0;
      this.firstError = undefined;
      this.cpuSince = process.cpuUsage();
      this.startedAt = nowMicros();
      if (command.ratePerSecond === null) this.pump();
      else this.pace(command.ratePerSecond);
    } else if (command.type === 'report' && this.command?.round === command.round) {
      this.finish('stopped before every publish was answered');
    }
  }

  private sendOne(scheduledAt: number): void {
    const command = this.command;
    if (!command || !this.socket) return;
    const body = JSON.stringify({ topic: this.config.topic, body: stampedBody(scheduledAt, command.bodyBytes, this.sent), id: `${command.idPrefix}-${this.sent}` });
    this.socket.write(requestText('POST', '/api/messages', this.config.host, this.config.port, { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' }, body));
    this.sent += 1;
  }

  private pump(): void {
    const command = this.command;
    if (!command) return;
    while (this.sent < command.count && this.sent - this.acked - this.failed < command.window) this.sendOne(nowMicros());
  }

  private pace(ratePerSecond: number): void {
    const command = this.command;
    if (!command) return;
    const intervalMicros = 1e6 / ratePerSecond;
    const tick = (): void => {
      const now = nowMicros();
      while (this.sent < command.count && this.startedAt + this.sent * intervalMicros <= now) {
        this.sendOne(Math.round(this.startedAt + this.sent * intervalMicros));
      }
      if (this.sent < command.count) this.timer = setTimeout(tick, 1);
    };
    tick();
  }

  private onData(chunk: Buffer): void {
    this.data = this.data.length === 0 ? chunk : Buffer.concat([this.data, chunk]);
    for (;;) {
      const taken = takeResponse(this.data);
      if (!taken) return;
      this.data = this.data.subarray(taken.used);
      if (taken.answer.status === 201 || taken.answer.status === 200) {
        this.acked += 1;
      } else {
        this.failed += 1;
        this.firstError ??= `publish answered ${taken.answer.status} ${taken.answer.body.toString('utf8', 0, 200)}`;
      }
      const command = this.command;
      if (!command) continue;
      if (this.acked + this.failed >= command.count) this.finish();
      else if (command.ratePerSecond === null) this.pump();
    }
  }

  private finish(error?: string): void {
    const command = this.command;
    if (!command) return;
    if (this.timer) clearTimeout(this.timer);
    this.command = null;
    const why = this.firstError ?? error;
    this.report({
      type: 'published', round: command.round, sent: this.sent, acked: this.acked, failed: this.failed,
      startedAt: this.startedAt, endedAt: nowMicros(), cpuMicros: cpuMicrosSince(this.cpuSince),
      ...(why && (this.acked < command.count || this.failed > 0) ? { error: why } : {}),
    });
  }

  close(): void {
    this.socket?.destroy();
  }
}
