/**
 * Long polling: `GET /api/longpoll` held until there is something to say (or
 * `wait` seconds pass), re-issued at once with the cursor of the answer. The
 * first request asks with `wait=0` for a cursor, so that no message published
 * after `open()` resolves can slip between subscribing and the first hold.
 */
import { HttpFailure, type HttpAnswer, type HttpExchange } from './http.ts';
import { HttpSimClient } from './client.ts';
import { nodeStyleHead, RawConnection } from './raw-http.ts';

const RETRY_DELAY_MS = 100;

export class LongPollSimClient extends HttpSimClient {
  private held = false;
  private timer: NodeJS.Timeout | undefined;
  private connection: RawConnection | undefined;
  /** When the last answer was read (hrtime ns), until the next request is written. */
  private answeredAtNs: bigint | undefined;

  async open(): Promise<void> {
    await this.takeSession();
    // A client that only publishes (fanout's ticker) opens no receive path.
    if (this.options.topics.length === 0) return;
    await this.ask(0);
    this.loop();
  }

  private loop(): void {
    if (this.stopped) return;
    this.held = true;
    this.options.sink.started();
    this.ask(this.options.longPollWaitSeconds)
      .then(() => {
        this.held = false;
        // The next request is written in the check phase, after every answer this worker read in the
        // same poll phase was stamped: forty subscribers share this process, and one's re-issue (a
        // syscall) would otherwise land on the latency of the next one read (a real client has its
        // own CPU). Measured: fanout long poll 35.0 → 33.9 ms. The wait is part of r, the turnaround
        // the theory counts.
        setImmediate(() => this.whenRunning(() => this.loop()));
      })
      .catch((error: Error) => {
        this.held = false;
        if (this.stopped) return;
        this.options.sink.error(this.options.index, `longpoll: ${error.message}`);
        this.timer = setTimeout(() => this.loop(), RETRY_DELAY_MS);
      });
  }

  private async ask(waitSeconds: number): Promise<void> {
    let text: string;
    try {
      text = (
        await this.receive({
          agent: this.receiveAgent,
          meter: this.meter,
          baseUrl: this.options.baseUrl,
          method: 'GET',
          path: `/api/longpoll?${this.topicQuery()}&wait=${waitSeconds}`,
          headers: this.authHeaders(),
          timeoutMs: waitSeconds * 1000 + this.options.stepTimeoutMs,
        })
      ).body;
    } catch (error) {
      // The request was made and answered (with an error): it still counts.
      if (error instanceof HttpFailure) this.options.sink.request(false);
      throw error;
    }
    this.answeredAtNs = process.hrtime.bigint();
    const { empty } = this.deliver(text);
    this.options.sink.request(empty);
  }

  /**
   * The receive path over HTTP/1.1: the head node:http would write, on a raw
   * keep-alive socket (raw-http.ts says why). Over HTTP/2 it is a stream of
   * the client's session, as every other request (h2-connection.ts).
   */
  private receive(options: HttpExchange): Promise<HttpAnswer> {
    const head = this.h2?.carries(options) ? undefined : nodeStyleHead(options.baseUrl, options.path, options.headers);
    if (this.answeredAtNs !== undefined) {
      this.options.sink.reissued(Number(process.hrtime.bigint() - this.answeredAtNs));
      this.answeredAtNs = undefined;
    }
    if (head === undefined) return this.exchange(options);
    this.connection ??= new RawConnection(options.baseUrl, options.meter, { countLineEnds: false });
    return this.connection.exchange(head, options.timeoutMs);
  }

  /** A held long poll stays out: it moves no bytes until it is answered. */
  async quiesce(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sendsSettled();
  }

  get holding(): boolean {
    return this.held;
  }

  override close(): void {
    clearTimeout(this.timer);
    this.connection?.close();
    super.close();
  }
}
