/** Transport name → lean simulated client (STYLE: a name → factory map, no if/else chain). */
import type { TransportName } from '../../src/protocol/index.ts';
import type { SimClient, SimClientOptions } from './client.ts';
import { H2SseSimClient } from './h2-sse.ts';
import { LongPollSimClient } from './longpoll.ts';
import { PollSimClient } from './poll.ts';
import { Replay2009PollClient } from './replay-poll.ts';
import { SseSimClient } from './sse.ts';
import { WsSimClient } from './ws.ts';

export type { ClientSink, SimClient, SimClientOptions } from './client.ts';

export const SIM_CLIENTS: Record<TransportName, (options: SimClientOptions) => SimClient> = {
  // Over h2 (`h2Url`) the HTTP clients send their requests as streams of one session (client.ts); SSE opens its stream there too.
  // The 2009 replay polls with the article's request, over the HTTP version the row names.
  poll: (options) => (options.replay2009 ? new Replay2009PollClient(options) : new PollSimClient(options)),
  longpoll: (options) => new LongPollSimClient(options),
  sse: (options) => (options.h2Url ? new H2SseSimClient(options) : new SseSimClient(options)),
  // WebSockets stay on HTTP/1.1 (an Upgrade; the server offers no RFC 8441): h2Url is ignored.
  ws: (options) => new WsSimClient(options),
};

/** Sockets one client usually holds: one for ws; for HTTP one to receive (when it subscribes) and one to publish. */
export function socketsPerClient(transport: TransportName, subscribes: boolean, publishes: boolean): number {
  if (transport === 'ws') return 1;
  return (subscribes ? 1 : 0) + (publishes ? 1 : 0);
}
