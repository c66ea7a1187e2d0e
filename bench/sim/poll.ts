/**
 * Short polling: `GET /api/poll` every interval T, answered at once even when
 * empty. Polls keep to a fixed grid (due = previous due + T, drift-free) with
 * a random phase per client; a poll whose slot comes while the previous one
 * is still out, or while the client is paused, is skipped rather than
 * stacked or deferred — so that after a pause the clients do not all poll at
 * once, and N clients make exactly N × window / T polls on average in any
 * window (issue 13 item 2). With `conditional`, each poll sends its cursor as
 * `If-None-Match` and an answer of `304 Not Modified` counts as an empty one.
 */
import { HttpSimClient } from './client.ts';

export class PollSimClient extends HttpSimClient {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  /** The last answer said `more`: ask again at once. */
  private more = false;
  /** `performance.now()` of the next slot. */
  private dueAt = 0;

  async open(): Promise<void> {
    await this.takeSession();
    // A client that only publishes (fanout's ticker) opens no receive path.
    if (this.options.topics.length === 0) return;
    await this.pollOnce();
    // A random phase so that N clients do not poll in lock step.
    this.dueAt = performance.now() + Math.random() * this.options.pollIntervalMs;
    this.arm();
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.dueAt - performance.now()));
  }

  /** The next slot on the grid; slots already past are skipped (the grid moves to now). */
  private advance(): void {
    this.dueAt += this.options.pollIntervalMs;
    const now = performance.now();
    if (this.dueAt < now) this.dueAt = now;
  }

  private tick(): void {
    if (this.isPaused) {
      this.advance();
      this.arm();
      return;
    }
    this.options.sink.started();
    this.inFlight = this.pollOnce()
      .catch((error: Error) => this.options.sink.error(this.options.index, `poll: ${error.message}`))
      .then(() => {
        this.inFlight = undefined;
        if (this.more) this.dueAt = performance.now();
        else this.advance();
        this.arm();
      });
  }

  protected async pollOnce(): Promise<void> {
    // Conditional (`--conditional`): the cursor travels once, as the entity tag, not in the query too.
    const conditional = this.options.conditional === true && this.cursor !== undefined;
    const headers = this.authHeaders();
    if (conditional) headers['if-none-match'] = `"${this.cursor}"`;
    const answer = await this.exchange({
      agent: this.receiveAgent,
      meter: this.meter,
      baseUrl: this.options.baseUrl,
      method: 'GET',
      path: `/api/poll?${conditional ? this.topicsOnlyQuery() : this.topicQuery()}`,
      headers,
      timeoutMs: this.options.stepTimeoutMs,
    });
    if (answer.status === 304) {
      this.more = false;
      this.options.sink.request(true);
      return;
    }
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
