/**
 * A TCP proxy in front of the server that delays every byte in both
 * directions: the bench's and the live lab's network profiles (issue 3).
 * Each accepted connection gets its own upstream connection and two delay
 * lines; byte order and half-close are kept, a reset on one side resets the
 * other.
 */
import net from 'node:net';
import type { Socket } from 'node:net';
import { DelayLine } from './delay-line.ts';

export type ProxyDirection = 'up' | 'down';

export interface DelayProxyOptions {
  targetHost: string;
  targetPort: number;
  /** Added to every byte, in each direction (half the round trip). */
  oneWayDelayMs: number;
  /** Bytes per second per direction per connection; absent = unlimited. */
  bandwidthBytesPerSecond?: number;
  /** Where the proxy listens; defaults to 127.0.0.1 on a free port. */
  host?: string;
  port?: number;
  /** Sees every chunk as it arrives at the proxy ('up' = client → server). */
  onChunk?: (conn: number, direction: ProxyDirection, chunk: Buffer) => void;
}

export interface DelayProxy {
  host: string;
  port: number;
  /** `http://host:port` */
  url: string;
  /** Applies to bytes that arrive from now on; bytes in flight keep their delay. */
  setDelay(oneWayDelayMs: number): void;
  /** Destroys every open connection, both sides. */
  dropAll(): void;
  /** Client connections open right now. */
  connections(): number;
  /** Client connections accepted since the proxy started. */
  accepted(): number;
  close(): Promise<void>;
}

interface ProxiedConnection {
  client: Socket;
  upstream: Socket;
  lines: DelayLine[];
}

export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  assertDelay(options.oneWayDelayMs);
  if (options.bandwidthBytesPerSecond !== undefined && !(options.bandwidthBytesPerSecond > 0)) {
    throw new RangeError(`bandwidthBytesPerSecond must be above 0, got ${options.bandwidthBytesPerSecond}`);
  }
  let delayMs = options.oneWayDelayMs;
  let nextId = 0;
  const open = new Set<ProxiedConnection>();

  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const id = ++nextId;
    const upstream = net.connect({ host: options.targetHost, port: options.targetPort, allowHalfOpen: true, noDelay: true });
    const line = (from: Socket, to: Socket, direction: ProxyDirection): DelayLine =>
      new DelayLine(from, to, {
        delayMs: () => delayMs,
        bandwidthBytesPerSecond: options.bandwidthBytesPerSecond,
        onChunk: options.onChunk && ((chunk) => options.onChunk?.(id, direction, chunk)),
      });
    const connection: ProxiedConnection = { client, upstream, lines: [line(client, upstream, 'up'), line(upstream, client, 'down')] };
    open.add(connection);

    let closed = 0;
    const onClose = (): void => {
      // Both sides fully closed: the connection is gone.
      if (++closed === 2) open.delete(connection);
    };
    for (const [socket, peer] of [[client, upstream], [upstream, client]] as const) {
      // A reset or error on one side is passed on as a reset, not hidden.
      socket.on('error', () => teardown(connection, peer));
      socket.on('close', (hadError) => {
        if (hadError) teardown(connection, peer);
        onClose();
      });
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    host: address.address,
    port: address.port,
    url: `http://${host}:${address.port}`,
    setDelay(ms) {
      assertDelay(ms);
      delayMs = ms;
    },
    dropAll() {
      for (const connection of open) {
        teardown(connection, connection.client);
        teardown(connection, connection.upstream);
      }
    },
    connections: () => open.size,
    accepted: () => nextId,
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const connection of open) {
          teardown(connection, connection.client);
          teardown(connection, connection.upstream);
        }
      });
    },
  };
}

function teardown(connection: ProxiedConnection, socket: Socket): void {
  for (const line of connection.lines) line.stop();
  // resetAndDestroy sends an RST so the far end sees a dropped connection, like a real network fault.
  if (!socket.destroyed) socket.resetAndDestroy();
}

function assertDelay(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`oneWayDelayMs must be 0 or more, got ${ms}`);
}
