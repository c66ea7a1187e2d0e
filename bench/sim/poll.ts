/**
 * Short polling: `GET /api/poll` every interval T, answered at once even when
 * empty. A poll starts T after the previous one started (not after it ended)
 * and is skipped rather than stacked when the previous one is still out.
 */
import { exchange } from './http.ts';
import { HttpSimClient } from './client.ts';

export class PollSimClient extends HttpSimClient {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  /** The last answer said `more`: ask again at once. */
  private more = false;

  async open(): Promise<void> {
    await this.takeSession();
    // A client that only publishes (fanout's ticker) opens no receive path.
    if (this.options.topics.length === 0) return;
    await this.pollOnce();
    // A random phase so that N clients do not poll in lock step.
    this.schedule(Math.random() * this.options.pollIntervalMs);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.whenRunning(() => this.tick()), Math.max(0, delayMs));
  }

  private tick(): void {
    const started = performance.now();
    this.inFlight = this.pollOnce()
      .catch((error: Error) => this.options.sink.error(this.options.index, `poll: ${error.message}`))
      .then(() => {
        this.inFlight = undefined;
        const next = started + this.options.pollIntervalMs - performance.now();
        this.schedule(this.more ? 0 : next);
      });
  }

  private async pollOnce(): Promise<void> {
    const answer = await exchange({
      agent: this.receiveAgent,
      meter: this.meter,
      baseUrl: this.options.baseUrl,
      method: 'GET',
      path: `/api/poll?${this.topicQuery()}`,
      headers: this.authHeaders(),
      timeoutMs: this.options.stepTimeoutMs,
    });
    const { empty, more } = this.deliver(answer.body);
    this.more = more;
    this.options.sink.request(empty);
  }

  protected override outstanding(): Promise<void> | undefined {
    return this.inFlight;
  }

  async quiesce(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
    await this.sendsSettled();
  }

  override close(): void {
    clearTimeout(this.timer);
    super.close();
  }
}
