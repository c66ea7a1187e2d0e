/**
 * Load role: one publisher, over WebSocket here (`PublisherRole`) or HTTP
 * (http-publisher.ts). What both do is `PublishLoop`: `window` > 0 saturates
 * (at most `window` publishes unanswered at a time); `ratePerSecond` paces an
 * open-loop schedule, each body stamped with when it *should* have been sent;
 * answers are counted, and one `published` report ends the round.
 */
import { WS_DIALECTS, nowMicros, stampedBody, type WsDialect } from './dialects.ts';
import { cpuMicrosSince, type WorkerCommand, type WorkerConfig, type WorkerReport } from './messages.ts';
import { openWsSession } from './ws-session.ts';
import type { RawWebSocket } from './raw-ws.ts';

type PublisherConfig = Extract<WorkerConfig, { role: 'publisher' }>;
type PublishCommand = Extract<WorkerCommand, { type: 'publish' }>;

/** The schedule and the count of one publisher, whatever carries its publishes. */
export abstract class PublishLoop {
  private command: PublishCommand | null = null;
  private sent = 0;
  private acked = 0;
  private failed = 0;
  /** The first failure's words, reported with the round. */
  private firstError: string | undefined;
  private startedAt = 0;
  private cpuSince = process.cpuUsage();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    protected readonly report: (message: WorkerReport) => void,
    /** What the report says when the round is stopped before every publish was answered. */
    private readonly stoppedEarly: string,
  ) {}

  abstract start(tokens: string[]): Promise<void>;
  /** Puts publish number `index` (body stamped `scheduledAt`) on the wire; false when there is no connection. */
  protected abstract write(command: PublishCommand, index: number, body: string): boolean;
  abstract close(): void;

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
      this.finish(this.stoppedEarly);
    }
  }

  private sendOne(scheduledAt: number): void {
    const command = this.command;
    if (!command || !this.write(command, this.sent, stampedBody(scheduledAt, command.bodyBytes, this.sent))) return;
    this.sent += 1;
  }

  /** Saturation: keep `window` publishes in flight until `count` are sent. */
  private pump(): void {
    const command = this.command;
    if (!command) return;
    while (this.sent < command.count && this.sent - this.acked - this.failed < command.window) this.sendOne(nowMicros());
  }

  /** Open loop: message i is due at start + i / rate, whatever the answers do. */
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

  /** One publish answered: acknowledged, or failed (`reason`, when known, becomes the round's error). */
  protected answered(ok: boolean, reason?: string): void {
    if (ok) this.acked += 1;
    else {
      this.failed += 1;
      if (reason !== undefined) this.firstError ??= reason;
    }
    const command = this.command;
    if (!command) return;
    if (this.acked + this.failed >= command.count) this.finish();
    else if (command.ratePerSecond === null) this.pump();
  }

  protected finish(error?: string): void {
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
}

/** Publishes as frames of one WebSocket, in the reference's dialect. */
export class PublisherRole extends PublishLoop {
  private socket: RawWebSocket | null = null;
  private readonly dialect: WsDialect;
  private nextRef = 1;

  constructor(private readonly config: PublisherConfig, report: (message: WorkerReport) => void) {
    super(report, 'stopped before every publish was acknowledged');
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

  protected write(command: PublishCommand, index: number, body: string): boolean {
    if (!this.socket) return false;
    this.socket.send(this.dialect.publishFrame(this.config.topic, body, `${command.idPrefix}-${index}`, this.nextRef, this.socket.session));
    this.nextRef += 1;
    return true;
  }

  private onPayload(payload: Buffer, ws: RawWebSocket): void {
    const reply = this.dialect.autoReply(payload, ws.session);
    if (reply !== null) return ws.send(reply);
    if (this.dialect.ackRef(payload) >= 1) this.answered(true);
    // An error frame counts as a failed publish (the count says it; the dialect gives no words to report).
    else if (this.dialect.isError(payload)) this.answered(false);
  }

  close(): void {
    this.socket?.destroy();
  }
}
