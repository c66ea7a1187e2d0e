import type { Socket } from 'node:net';
import { TRANSPORT_NAMES, type ByteSplit, type TransportName, type TransportStats } from '../../protocol/index.ts';
import { TransportCounters, type Owner } from './counters.ts';
import { SocketMeter } from './socket-meter.ts';

/** Requests that belong to no transport: sessions, stats, metrics, static files. */
export interface OtherCounters {
  requests: number;
  bytesIn: number;
  bytesOut: number;
}

/**
 * Which part of a transport's bytes is the remainder of the socket's total (see
 * TransportCounters): HTTP transports count bodies and framing, so headers are;
 * a WebSocket counts handshake and payloads, so framing is. One line per transport.
 */
const REMAINDER: Record<TransportName, keyof ByteSplit> = {
  poll: 'headers',
  longpoll: 'headers',
  sse: 'headers',
  ws: 'framing',
};

/**
 * The server's wire accounting: one meter per open socket, counters per
 * transport. Totals come from the sockets; the transports add what they know
 * (bodies, framing, handshakes) as they write it.
 */
export class Accounting {
  readonly transports = Object.fromEntries(
    TRANSPORT_NAMES.map((name) => [name, new TransportCounters(name, REMAINDER[name], (socket) => this.#meters.get(socket))]),
  ) as Record<TransportName, TransportCounters>;
  readonly other: OtherCounters = { requests: 0, bytesIn: 0, bytesOut: 0 };
  readonly #meters = new Map<Socket, SocketMeter>();

  /** Starts metering a new socket; stops (after a last flush) when it closes. */
  track(socket: Socket): SocketMeter {
    const meter = new SocketMeter(socket, this.#charge);
    this.#meters.set(socket, meter);
    // A socket's 'close' comes once, so `on`, not `once`: once's wrapper (a bound
    // function and its state) cost ~100 bytes per open connection (issue 12).
    socket.on('close', () => {
      meter.flush();
      this.#meters.delete(socket);
    });
    return meter;
  }

  meterOf(socket: Socket): SocketMeter | undefined {
    return this.#meters.get(socket);
  }

  get openSockets(): number {
    return this.#meters.size;
  }

  /** Settles every open socket, then reads the counters. */
  snapshot(): { transports: Record<TransportName, TransportStats>; other: OtherCounters } {
    const open = new Map<Owner, number>();
    for (const meter of this.#meters.values()) {
      meter.flush();
      open.set(meter.owner, (open.get(meter.owner) ?? 0) + 1);
    }
    const transports = {} as Record<TransportName, TransportStats>;
    for (const name of TRANSPORT_NAMES) transports[name] = this.transports[name].snapshot(open.get(name) ?? 0);
    return { transports, other: { ...this.other } };
  }

  readonly #charge = (owner: Owner, bytesIn: number, bytesOut: number): void => {
    if (owner === 'other') {
      this.other.bytesIn += bytesIn;
      this.other.bytesOut += bytesOut;
      return;
    }
    const counters = this.transports[owner];
    counters.in.total += bytesIn;
    counters.out.total += bytesOut;
  };
}
