/**
 * Load role: one HTTP publisher, `POST /api/messages` pipelined on one
 * keep-alive socket — one connection, so the server sees the publishes in
 * the order they were sent and every subscriber can check that order. Every
 * server of an HTTP fan-out (ours and the references) is published to by this
 * same client. The schedule and the count are the WebSocket publisher's
 * (publisher.ts `PublishLoop`).
 */
import { connect, type Socket } from 'node:net';
import { requestText, takeResponse } from './http-wire.ts';
import type { WorkerCommand, WorkerConfig, WorkerReport } from './messages.ts';
import { PublishLoop } from './publisher.ts';

type HttpPublisherConfig = Extract<WorkerConfig, { role: 'http-publisher' }>;
type PublishCommand = Extract<WorkerCommand, { type: 'publish' }>;

export class HttpPublisherRole extends PublishLoop {
  private socket: Socket | null = null;
  private token = '';
  private data: Buffer = Buffer.alloc(0);

  constructor(private readonly config: HttpPublisherConfig, report: (message: WorkerReport) => void) {
    super(report, 'stopped before every publish was answered');
  }

  async start(tokens: string[]): Promise<void> {
    this.token = tokens[0] ?? this.config.token;
    try {
      await this.connect();
      this.report({ type: 'ready', opened: 1, failed: 0 });
    } catch (error) {
      this.report({ type: 'ready', opened: 0, failed: 1, error: (error as Error).message });
    }
  }

  /**
   * A round on a connection the server has closed meanwhile is reconnected
   * first. Between this publisher's rounds the other contenders run theirs,
   * often for longer than a server's keep-alive timeout (node:http's 5 s), and
   * a publish written on the closed socket would go nowhere: every one of the
   * round's publishes would read "not acknowledged".
   */
  override handle(command: WorkerCommand): void {
    if (command.type !== 'publish' || (this.socket && !this.socket.destroyed)) return super.handle(command);
    this.connect().then(
      () => super.handle(command),
      (error: Error) => {
        super.handle(command);
        this.finish(`could not reconnect the publisher: ${error.message}`);
      },
    );
  }

  private async connect(): Promise<void> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const opening = connect({ host: this.config.host, port: this.config.port, noDelay: true });
      opening.once('connect', () => resolve(opening));
      opening.once('error', reject);
    });
    this.socket = socket;
    this.data = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => {
      if (this.socket === socket) this.socket = null;
      this.finish('the server closed the publisher connection');
    });
    socket.on('error', () => undefined);
  }

  protected write(command: PublishCommand, index: number, body: string): boolean {
    if (!this.socket) return false;
    const json = JSON.stringify({ topic: this.config.topic, body, id: `${command.idPrefix}-${index}` });
    this.socket.write(requestText('POST', '/api/messages', this.config.host, this.config.port, { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' }, json));
    return true;
  }

  private onData(chunk: Buffer): void {
    this.data = this.data.length === 0 ? chunk : Buffer.concat([this.data, chunk]);
    for (;;) {
      const taken = takeResponse(this.data);
      if (!taken) return;
      this.data = this.data.subarray(taken.used);
      const { status, body } = taken.answer;
      const ok = status === 201 || status === 200;
      this.answered(ok, ok ? undefined : `publish answered ${status} ${body.toString('utf8', 0, 200)}`);
    }
  }

  close(): void {
    this.socket?.destroy();
  }
}
