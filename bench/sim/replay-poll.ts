/**
 * Short polling as the 2009 article polled: every receive poll is the
 * article's request head, byte for byte (bench/headers/replay-2009.ts),
 * written on a raw keep-alive socket. The session goes in the article's
 * Cookie line; the path polls the replay topic without a cursor, which is
 * right where nothing is published (the `idle` scenario, the article's case).
 */
import { replayRequestHead } from '../headers/replay-2009.ts';
import { PollSimClient } from './poll.ts';
import { RawConnection } from './raw-http.ts';

export class Replay2009PollClient extends PollSimClient {
  private connection: RawConnection | undefined;

  protected override async pollOnce(): Promise<void> {
    this.connection ??= new RawConnection(this.options.baseUrl, this.meter);
    const answer = await this.connection.exchange(replayRequestHead(this.token), this.options.stepTimeoutMs);
    const { empty } = this.deliver(answer.body);
    this.options.sink.request(empty);
  }

  override close(): void {
    this.connection?.close();
    super.close();
  }
}
