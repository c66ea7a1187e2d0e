/**
 * Load role: many WebSocket subscribers of one topic in this process. They
 * count deliveries per subscriber per round, check their order and, when
 * asked, record latency from each message's scheduled send time (stamped in
 * its body) — measured from when it *should* have been sent (STYLE habit 8).
 */
import { STAMP, WS_DIALECTS } from './dialects.ts';
import { parseMarker } from './deliveries.ts';
import { openAll, type WorkerCommand, type WorkerConfig, type WorkerReport } from './messages.ts';
import { RoundCounter } from './round-counter.ts';
import { openWsSession } from './ws-session.ts';
import type { RawWebSocket } from './raw-ws.ts';

type SubscribersConfig = Extract<WorkerConfig, { role: 'subscribers' }>;

const STAMP_BYTES = Buffer.from(STAMP);

export class SubscribersRole {
  private readonly sockets: RawWebSocket[] = [];
  private readonly counter: RoundCounter;

  constructor(private readonly config: SubscribersConfig, private readonly report: (message: WorkerReport) => void) {
    this.counter = new RoundCounter(config.count, report);
  }

  async start(tokens: string[]): Promise<void> {
    const dialect = WS_DIALECTS[this.config.dialect];
    const marker = dialect.deliveryMarker;
    const result = await openAll(this.config.count, this.config.concurrency, async (index) => {
      const target = { host: this.config.host, port: this.config.port, token: tokens[index] ?? this.config.token };
      const socket = await openWsSession(target, dialect, this.config.topic, (payload, ws) => {
        const delivered = payload.indexOf(marker) !== -1;
        if (delivered) this.onDelivery(index, payload);
        // A Bayeux frame may carry deliveries and the connect answer together.
        const reply = dialect.autoReply(payload, ws.session);
        if (reply !== null) ws.send(reply);
        else if (!delivered && dialect.isError(payload)) this.counter.error();
      });
      this.sockets.push(socket);
    });
    this.report({ type: 'ready', ...result });
  }

  handle(command: WorkerCommand): void {
    this.counter.handle(command);
  }

  /** One frame may carry several deliveries (Bayeux and SockJS batch them). */
  private onDelivery(index: number, payload: Buffer): void {
    let from = 0;
    let found = false;
    for (;;) {
      const at = payload.indexOf(STAMP_BYTES, from);
      if (at === -1) break;
      const parsed = parseMarker(payload, at);
      if (!parsed) break;
      found = true;
      this.counter.delivery(index, parsed.index, parsed.stamp);
      from = parsed.end;
    }
    if (!found) this.counter.delivery(index, -1, -1);
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy();
  }
}
