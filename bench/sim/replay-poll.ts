/**
 * Short polling as the 2009 article polled: every receive poll is the
 * article's request (bench/headers/replay-2009.ts). The session goes in the
 * article's Cookie line; the path polls the replay topic without a cursor,
 * which is right where nothing is published (the `idle` scenario, the
 * article's case).
 * - HTTP/1.1: the article's head byte for byte, written on a raw keep-alive
 *   socket (no client library adds, drops or reorders a line).
 * - HTTP/2 (`--http 2`, `2-tls`): the same header set as a stream of the
 *   client's h2 session, so HPACK's cost of the same headers is measured —
 *   Host as `:authority`, Keep-Alive and Connection left out (h2 forbids them).
 */
import { replayH2Headers, replayRequestHead } from '../headers/replay-2009.ts';
import type { HttpAnswer } from './http.ts';
import { PollSimClient } from './poll.ts';
import { RawConnection } from './raw-http.ts';

export class Replay2009PollClient extends PollSimClient {
  private connection: RawConnection | undefined;

  protected override async pollOnce(): Promise<void> {
    const answer = this.h2 ? await this.overH2() : await this.overRawSocket();
    this.options.sink.request(this.deliver(answer.body).empty);
  }

  private overRawSocket(): Promise<HttpAnswer> {
    this.connection ??= new RawConnection(this.options.baseUrl, this.meter);
    return this.connection.exchange(replayRequestHead(this.token), this.options.stepTimeoutMs);
  }

  private overH2(): Promise<HttpAnswer> {
    const { ':path': path, ...headers } = replayH2Headers(this.token);
    return this.exchange({
      agent: this.receiveAgent,
      meter: this.meter,
      baseUrl: this.options.baseUrl,
      method: 'GET',
      path,
      headers,
      timeoutMs: this.options.stepTimeoutMs,
    });
  }

  override close(): void {
    this.connection?.close();
    super.close();
  }
}
