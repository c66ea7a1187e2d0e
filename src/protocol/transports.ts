/** PROTOCOL.md § Transports and their names. */
export const TRANSPORT_NAMES = ['poll', 'longpoll', 'sse', 'ws'] as const;
export type TransportName = (typeof TRANSPORT_NAMES)[number];

export function isTransportName(value: unknown): value is TransportName {
  return typeof value === 'string' && (TRANSPORT_NAMES as readonly string[]).includes(value);
}
