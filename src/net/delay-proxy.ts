/**
 * A TCP proxy in front of the server that delays every byte in both
 * directions: the bench's and the live lab's network profiles (issue 3).
 * Each accepted connection gets its own upstream connection and two delay
 * lines; byte order and half-close are kept, a reset on one side resets the
 * other.
 *
 * Beyond a fixed delay (issue 11 item 4, conditions.ts): seeded jitter and
 * stalls per direction, a cut of every connection every `cutEveryMs`, and a
 * silent drop of connections idle for `idleDropMs` (or of all of them at
 * once with `silenceAll()`): a silent connection forwards nothing either way,
 * passes on no FIN and no RST, and each of its sockets stays open until its
 * own peer closes it.
 *
 * `setConditions()` changes them while the proxy runs (the live lab's network
 * knob): a connection keeps the conditions it was accepted under, so a caller
 * that wants every connection under the new ones cuts them (`dropAll()`).
 */
import net from 'node:net';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { resolveConditions } from './conditions.ts';
import type { NetworkConditions } from './conditions.ts';
import { DelayLine } from './delay-line.ts';
import { jitterFor, stallScheduleFor } from './condition-streams.ts';
import type { StallSchedule } from './stall-schedule.ts';

export type ProxyDirection = 'up' | 'down';

export interface DelayProxyOptions extends NetworkConditions {
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

/** What the conditions did so far: a report prints these next to its figures. */
export interface ProxyStats {
  /** Client connections accepted since the start. */
  accepted: number;
  /** Client connections open now (silent ones included). */
  open: number;
  /** Cut events (`cutEveryMs` or `dropAll()`), and the connections they reset. */
  cuts: number;
  connectionsCut: number;
  /** Connections that went silent (idle drop or `silenceAll()`). */
  silenced: number;
  /** Stall windows that held at least one byte, over both directions of every connection. */
  stalls: number;
  /** Bytes that arrived on silent connections and were thrown away. */
  discardedBytes: number;
}

export interface DelayProxy {
  host: string;
  port: number;
  /** `http://host:port` */
  url: string;
  /** Applies to bytes that arrive from now on; bytes in flight keep their delay. */
  setDelay(oneWayDelayMs: number): void;
  /**
   * Replaces the conditions and the bandwidth cap (checked first: a bad value
   * throws a RangeError and changes nothing). Connections accepted from now on
   * get them; the cut clock starts again.
   */
  setConditions(conditions: NetworkConditions & { bandwidthBytesPerSecond?: number }): void;
  /** Destroys every open connection, both sides (a cut: each side sees a reset). */
  dropAll(): void;
  /** Makes every open connection silent now, as an idle drop would (a NAT forgetting them). */
  silenceAll(): void;
  /** Client connections open right now. */
  connections(): number;
  /** Client connections accepted since the proxy started. */
  accepted(): number;
  stats(): ProxyStats;
  close(): Promise<void>;
}

interface ProxiedConnection {
  client: Socket;
  upstream: Socket;
  lines: DelayLine[];
  stallSchedules: StallSchedule[];
  lastActivityAt: number;
  idleTimer: NodeJS.Timeout | undefined;
  silent: boolean;
}

export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  assertDelay(options.oneWayDelayMs);
  assertBandwidth(options.bandwidthBytesPerSecond);
  let conditions = resolveConditions(options);
  let bandwidthBytesPerSecond = options.bandwidthBytesPerSecond;
  let delayMs = options.oneWayDelayMs;
  let nextId = 0;
  const open = new Set<ProxiedConnection>();
  const totals = { cuts: 0, connectionsCut: 0, silenced: 0, stalls: 0, discardedBytes: 0 };

  const silence = (connection: ProxiedConnection): void => {
    if (connection.silent) return;
    connection.silent = true;
    totals.silenced += 1;
    clearTimeout(connection.idleTimer);
    for (const line of connection.lines) line.silence();
  };

  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const id = ++nextId;
    const upstream = net.connect({ host: options.targetHost, port: options.targetPort, allowHalfOpen: true, noDelay: true });
    // This connection's conditions, fixed at accept (setConditions does not reach it).
    const accepted = { conditions, bandwidthBytesPerSecond };
    const connection: ProxiedConnection = {
      client, upstream, lines: [], stallSchedules: [], lastActivityAt: performance.now(), idleTimer: undefined, silent: false,
    };
    const onActivity = (): void => {
      connection.lastActivityAt = performance.now();
    };
    const line = (from: Socket, to: Socket, direction: ProxyDirection): DelayLine => {
      const stalls = stallScheduleFor(accepted.conditions, id, direction);
      if (stalls) connection.stallSchedules.push(stalls);
      return new DelayLine(from, to, {
        delayMs: () => delayMs,
        bandwidthBytesPerSecond: accepted.bandwidthBytesPerSecond,
        onChunk: options.onChunk && ((chunk) => options.onChunk?.(id, direction, chunk)),
        extraDelayMs: jitterFor(accepted.conditions, id, direction),
        stalls,
        onActivity,
      });
    };
    connection.lines = [line(client, upstream, 'up'), line(upstream, client, 'down')];
    open.add(connection);
    if (accepted.conditions.idleDropMs !== undefined) watchIdle(connection, accepted.conditions.idleDropMs, silence);

    let closed = 0;
    const onClose = (): void => {
      // Both sides fully closed: the connection is gone.
      if (++closed !== 2) return;
      open.delete(connection);
      clearTimeout(connection.idleTimer);
      totals.stalls += stallsOf(connection);
      totals.discardedBytes += discardedOf(connection);
    };
    for (const [socket, peer] of [[client, upstream], [upstream, client]] as const) {
      // A reset or error on one side is passed on as a reset, not hidden — unless the
      // connection is silent: then nothing reaches the other side, and a socket
      // closes only when its own peer gives up.
      socket.on('error', () => {
        if (connection.silent) socket.destroy();
        else teardown(connection, peer);
      });
      socket.on('end', () => {
        if (connection.silent) socket.destroy();
      });
      socket.on('close', (hadError) => {
        if (hadError && !connection.silent) teardown(connection, peer);
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

  const dropAll = (): void => {
    totals.cuts += 1;
    for (const connection of open) {
      totals.connectionsCut += 1;
      teardown(connection, connection.client);
      teardown(connection, connection.upstream);
    }
  };
  const startCuts = (): NodeJS.Timeout | undefined =>
    conditions.cutEveryMs === undefined ? undefined : setInterval(dropAll, conditions.cutEveryMs);
  let cutTimer = startCuts();

  return {
    host: address.address,
    port: address.port,
    url: `http://${host}:${address.port}`,
    setDelay(ms) {
      assertDelay(ms);
      delayMs = ms;
    },
    setConditions(next) {
      assertBandwidth(next.bandwidthBytesPerSecond);
      conditions = resolveConditions(next);
      bandwidthBytesPerSecond = next.bandwidthBytesPerSecond;
      clearInterval(cutTimer);
      cutTimer = startCuts();
    },
    dropAll,
    silenceAll() {
      for (const connection of open) silence(connection);
    },
    connections: () => open.size,
    accepted: () => nextId,
    stats() {
      let stalls = totals.stalls;
      let discardedBytes = totals.discardedBytes;
      for (const connection of open) {
        stalls += stallsOf(connection);
        discardedBytes += discardedOf(connection);
      }
      return {
        accepted: nextId, open: open.size, cuts: totals.cuts, connectionsCut: totals.connectionsCut,
        silenced: totals.silenced, stalls, discardedBytes,
      };
    },
    close() {
      clearInterval(cutTimer);
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const connection of open) {
          clearTimeout(connection.idleTimer);
          teardown(connection, connection.client);
          teardown(connection, connection.upstream);
        }
      });
    },
  };
}

/** Silences the connection once no byte moved either way for `idleMs`; re-arms for the rest of the wait otherwise. */
function watchIdle(connection: ProxiedConnection, idleMs: number, silence: (connection: ProxiedConnection) => void): void {
  const check = (): void => {
    const idleFor = performance.now() - connection.lastActivityAt;
    if (idleFor >= idleMs) silence(connection);
    else connection.idleTimer = setTimeout(check, Math.max(1, Math.ceil(idleMs - idleFor)));
  };
  connection.idleTimer = setTimeout(check, idleMs);
}

function stallsOf(connection: ProxiedConnection): number {
  return connection.stallSchedules.reduce((sum, schedule) => sum + schedule.stalls, 0);
}

function discardedOf(connection: ProxiedConnection): number {
  return connection.lines.reduce((sum, line) => sum + line.discardedBytes, 0);
}

function teardown(connection: ProxiedConnection, socket: Socket): void {
  for (const line of connection.lines) line.stop();
  // resetAndDestroy sends an RST so the far end sees a dropped connection, like a real network fault.
  if (!socket.destroyed) socket.resetAndDestroy();
}

function assertBandwidth(bytesPerSecond: number | undefined): void {
  if (bytesPerSecond !== undefined && !(bytesPerSecond > 0)) {
    throw new RangeError(`bandwidthBytesPerSecond must be above 0, got ${bytesPerSecond}`);
  }
}

function assertDelay(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`oneWayDelayMs must be 0 or more, got ${ms}`);
}
