import type { TransportName } from '../protocol/index.ts';
import { LongPollClient } from './longpoll.ts';
import { PollClient } from './poll.ts';
import { SseClient } from './sse.ts';
import type { Client, ClientFactory, ClientOptions } from './types.ts';
import { WsClient } from './ws.ts';

/** One factory per transport name (engine.io's `transports` map): no if/else on the name. */
export const CLIENT_FACTORIES: Readonly<Record<TransportName, ClientFactory>> = Object.freeze({
  poll: (options) => new PollClient(options),
  longpoll: (options) => new LongPollClient(options),
  sse: (options) => new SseClient(options),
  ws: (options) => new WsClient(options),
});

/** A client of `transport`; call `connect()` (or just `subscribe`/`publish`) to start. */
export function createClient(transport: TransportName, options: ClientOptions): Client {
  return CLIENT_FACTORIES[transport](options);
}

export type { Client, ClientEvents, ClientFactory, ClientOptions, ClientState, SubscribeOptions } from './types.ts';
export { DEFAULT_CLIENT_OPTIONS } from './types.ts';
export { Backoff } from './backoff.ts';
export { TypedEmitter } from './emitter.ts';
export { TopicPositions } from './ledger.ts';
export { NetworkError } from './http.ts';
export { LongPollClient, PollClient, SseClient, WsClient };
