import type { TransportName } from '../protocol/index.ts';
import { createLongPollTransport } from './longpoll.ts';
import { createPollTransport } from './poll.ts';
import { createSseTransport } from './sse.ts';
import type { TransportFactory } from './types.ts';
import { createWsTransport } from './ws.ts';

export type { Transport, TransportContext, TransportFactory } from './types.ts';

/** The transports by name (PROTOCOL.md § Transports), as engine.io's `transports/index`. */
export const TRANSPORTS: Record<TransportName, TransportFactory> = {
  poll: createPollTransport,
  longpoll: createLongPollTransport,
  sse: createSseTransport,
  ws: createWsTransport,
};
