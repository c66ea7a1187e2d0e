/**
 * Load role: one WebSocket publisher. `window` > 0 saturates (at most
 * `window` publishes unacknowledged at a time); `ratePerSecond` paces an
 * open-loop schedule, each body stamped with when it *should* have been sent.
 */
import { WS_DIALECTS, nowMicros, stampedBody, type WsDialect } from './dialects.ts';
import { cpuMicrosSince, type WorkerCommand, type WorkerConfig, type WorkerReport } from './messages.ts';
import { openWsSession } from './ws-session.ts';
import type { RawWebSocket } from './raw-ws.ts';

type PublisherConfig = Extract<WorkerConfig, { role: 'publisher' }>;
type PublishCommand = Extract<WorkerCommand, { type: 'publish' }>;

export class PublisherRole {
  private socket: RawWebSocket | null = null;
  private readonly dialect: WsDialect;
  private command: PublishCommand | null = null;
  private sent = 0;
  private acked = 0;
  private failed = 0;
  private startedAt = 0;
  private nextRef = 1;
  private cpuSince = process.cpuUsage();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly config: PublisherConfig, private readonly report: (message: WorkerReport) => void) {
    this.dialect = WS_DIALECTS[config.dialect];
  }

  async start(tokens: string[]): Promise<void> {
    try {
      const target = { host: this.config.host, port: this.config.port, token: tokens[0] ?? this.config.token };
      this.socket = await openWsSession(target, this.dialect, null, (payload, ws) => this.onPayload(payload, ws));
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
      this.cpuSince = process.cpuUsage();
      this.startedAt = nowMicros();
      if (command.ratePerSecond === null) this.pump();
      else this.pace(command.ratePerSecond);
    } else if (command.type === 'report' && this.command?.round === command.round) {
      this.finish('stopped before every publish was acknowledged');
    }
  }

  private sendOne(scheduledAt: number): void {
    const command = this.command;
    if (!command || !this.socket) return;
    const body = stampedBody(scheduledAt, command.bodyBytes, this.sent);
    this.socket.send(this.dialect.publishFrame(this.config.topic, body, `${command.idPrefix}-${this.sent}`, this.nextRef, this.socket.session));
    this.nextRef += 1;
    this.sent += 1;
  }

  /** Saturation: keep `window` publishes in flight until `count` are sent. */
  private pump(): void {
    const command = this.command;
    if (!command) return;
    while (this.sent < command.count && this.sent - this.acked - this.failed < command.window) this.sendOne(nowMicros());
  }

  /** Open loop: message i is due at start + i / rate, whatever the acks do. */
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

  private onPayload(payload: Buffer, ws: RawWebSocket): void {
    const reply = this.dialect.autoReply(payload, ws.session);
    if (reply !== null) return ws.send(reply);
    if (this.dialect.ackRef(payload) >= 1) this.acked += 1;
    else if (this.dialect.isError(payload)) this.failed += 1;
    else return;
    const command = this.command;
    if (!command) return;
    if (this.acked + this.failed >= command.count) this.finish();
    else if (command.ratePerSecond === null) this.pump();
  }

  private finish(error?: string): void {
    const command = this.command;
    if (!command) return;
    if (this.timer) clearTimeout(this.timer);
    this.command = null;
    this.report({
      type: 'published', round: command.round, sent: this.sent, acked: this.acked, failed: this.failed,
      startedAt: this.startedAt, endedAt: nowMicros(), cpuMicros: cpuMicrosSince(this.cpuSince),
      ...(error && this.acked < command.count ? { error } : {}),
    });
  }

  close(): void {
    this.socket?.destroy();
  }
}
