import type { Socket } from 'node:net';
import type { ByteSplit, TransportName, TransportStats } from '../../protocol/index.ts';
import type { WireMeter } from '../../transports/types.ts';
import type { SocketMeter } from './socket-meter.ts';

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

/** The meter of a tracked socket, if it is one (see Accounting.meterOf). */
export type SocketMeterLookup = (socket: Socket) => SocketMeter | undefined;

/**
 * One transport's counters, and the WireMeter its transport writes them through.
 * HTTP transports count bodies and framing as they write them, so headers are
 * the remainder; `ws` counts its handshake as headers and payloads as bodies, so
 * framing (frame headers, masks, control frames) is.
 */
export class TransportCounters implements WireMeter {
  heldRequests = 0;
  requests = 0;
  emptyResponses = 0;
  deliveries = 0;
  publishes = 0;
  readonly in: DirectionBytes;
  readonly out: DirectionBytes;

  constructor(
    readonly name: TransportName,
    remainder: keyof ByteSplit,
    private readonly socketMeter: SocketMeterLookup = () => undefined,
  ) {
    this.in = new DirectionBytes(remainder);
    this.out = new DirectionBytes(remainder);
  }

  bodyIn(bytes: number): void {
    this.in.bodies += bytes;
  }

  bodyOut(bytes: number): void {
    this.out.bodies += bytes;
  }

  framingOut(bytes: number): void {
    this.out.framing += bytes;
  }

  headersOut(bytes: number): void {
    this.out.headers += bytes;
  }

  /** Counts a chunk written in HTTP/1.1 chunked encoding: `<hex size>\r\n…\r\n`. */
  chunkOut(chunkBytes: number): void {
    if (chunkBytes > 0) this.out.framing += chunkBytes.toString(16).length + 4;
  }

  handshakeOut(socket: Socket): void {
    this.out.headers += this.socketMeter(socket)?.flush().bytesOut ?? 0;
  }

  /**
   * An upgrade arrived on `socket`: it is charged to this transport from now on,
   * and the request head read so far (less `head`, the first payload bytes) counts as headers.
   */
  handshakeIn(socket: Socket, head: Buffer): void {
    const meter = this.socketMeter(socket);
    const bytesIn = meter ? meter.claim(this.name).bytesIn - head.length : 0;
    this.in.headers += Math.max(0, bytesIn);
  }

  delivered(count: number): void {
    this.deliveries += count;
  }

  answeredEmpty(): void {
    this.emptyResponses += 1;
  }

  published(): void {
    this.publishes += 1;
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
