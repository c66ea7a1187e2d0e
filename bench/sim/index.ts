/** Transport name → lean simulated client (STYLE: a name → factory map, no if/else chain). */
import type { TransportName } from '../../src/protocol/index.ts';
import type { SimClient, SimClientOptions } from './client.ts';
import { LongPollSimClient } from './longpoll.ts';
import { PollSimClient } from './poll.ts';
import { SseSimClient } from './sse.ts';
import { WsSimClient } from './ws.ts';

export type { ClientSink, SimClient, SimClientOptions } from './client.ts';

export const SIM_CLIENTS: Record<TransportName, (options: SimClientOptions) => SimClient> = {
  poll: (options) => new PollSimClient(options),
  longpoll: (options) => new LongPollSimClient(options),
  sse: (options) => new SseSimClient(options),
  ws: (options) => new WsSimClient(options),
};

/** Sockets one client holds: receive + send for HTTP transports, one for ws. */
export function socketsPerClient(transport: TransportName, publishes: boolean): number {
  if (transport === 'ws') return 1;
  return publishes || transport === 'sse' ? 2 : 1;
}
