import type { ByteSplit, TransportName, TransportStats } from '../../protocol/index.ts';

/** Who a socket's bytes are charged to: a transport, or `other` (sessions, stats, static files). */
export type Owner = TransportName | 'other';

/**
 * Bytes of one direction. `total` comes from the socket (bytesRead/bytesWritten
 * deltas); two of the three parts are counted where we know them, and the third
 * is the remainder, so the parts always add up to what crossed the wire.
 */
export class DirectionBytes {
  total = 0;
  headers = 0;
  framing = 0;
  bodies = 0;

  constructor(private readonly remainder: keyof ByteSplit) {}

  split(): ByteSplit {
    const parts: ByteSplit = { headers: this.headers, framing: this.framing, bodies: this.bodies };
    const known = parts.headers + parts.framing + parts.bodies - parts[this.remainder];
    parts[this.remainder] = Math.max(0, this.total - known);
    return parts;
  }
}

/**
 * One transport's counters. HTTP transports count bodies and framing as they
 * write them, so headers are the remainder; `ws` counts its handshake as headers
 * and payloads as bodies, so framing (frame headers, masks, control frames) is.
 */
export class TransportCounters {
  heldRequests = 0;
  requests = 0;
  emptyResponses = 0;
  deliveries = 0;
  publishes = 0;
  readonly in: DirectionBytes;
  readonly out: DirectionBytes;

  constructor(remainder: keyof ByteSplit) {
    this.in = new DirectionBytes(remainder);
    this.out = new DirectionBytes(remainder);
  }

  /** Counts a chunk written in HTTP/1.1 chunked encoding: `<hex size>\r\n…\r\n`. */
  chunkFraming(chunkBytes: number): void {
    if (chunkBytes > 0) this.out.framing += chunkBytes.toString(16).length + 4;
  }

  snapshot(openConnections: number): TransportStats {
    return {
      openConnections,
      heldRequests: this.heldRequests,
      requests: this.requests,
      emptyResponses: this.emptyResponses,
      deliveries: this.deliveries,
      publishes: this.publishes,
      bytesIn: this.in.split(),
      bytesOut: this.out.split(),
    };
  }
}
