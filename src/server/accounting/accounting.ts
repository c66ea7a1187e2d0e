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
 * The server's wire accounting: one meter per open socket, counters per
 * transport. Totals come from the sockets; the transports add what they know
 * (bodies, framing, handshakes) as they write it.
 */
export class Accounting {
  /**
   * HTTP transports count bodies and framing, so headers are their remainder;
   * a WebSocket counts handshake and payloads, so framing is (see TransportCounters).
   */
  readonly transports: Record<TransportName, TransportCounters> = {
    poll: this.#counters('poll', 'headers'),
    longpoll: this.#counters('longpoll', 'headers'),
    sse: this.#counters('sse', 'headers'),
    ws: this.#counters('ws', 'framing'),
  };
  readonly other: OtherCounters = { requests: 0, bytesIn: 0, bytesOut: 0 };
  readonly #meters = new Map<Socket, SocketMeter>();

  /** Starts metering a new socket; stops (after a last flush) when it closes. */
  track(socket: Socket): SocketMeter {
    const meter = new SocketMeter(socket, this.#charge);
    this.#meters.set(socket, meter);
    socket.once('close', () => {
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
    const open: Record<Owner, number> = { poll: 0, longpoll: 0, sse: 0, ws: 0, other: 0 };
    for (const meter of this.#meters.values()) {
      meter.flush();
      open[meter.owner] += 1;
    }
    const transports = {} as Record<TransportName, TransportStats>;
    for (const name of TRANSPORT_NAMES) transports[name] = this.transports[name].snapshot(open[name]);
    return { transports, other: { ...this.other } };
  }

  #counters(name: TransportName, remainder: keyof ByteSplit): TransportCounters {
    return new TransportCounters(name, remainder, (socket) => this.#meters.get(socket));
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
