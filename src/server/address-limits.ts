import type { Socket } from 'node:net';
import type { ServerOptions } from '../config.ts';
import { LabError } from '../protocol/index.ts';
import type { ClientAddresses } from './client-address.ts';

/**
 * What one remote address may hold (issue 8 #6): open sockets, sockets whose
 * request head has not fully arrived, and held long polls and streams. Loopback
 * is an address like any other. The defaults sit far above what thirty browsers
 * behind one workshop NAT use (each holds a handful of sockets), and far below
 * `maxConnections`, so one address can never take every slot.
 *
 * Behind a trusted proxy (`trustProxy`), the proxy's own sockets are not
 * counted here: nginx opens them for all its clients, and which client a
 * socket serves is only known per request. Held requests are then counted by
 * the forwarded address; `maxConnections` still caps the proxy's sockets.
 */
export class AddressLimits {
  readonly #sockets = new Map<string, number>();
  readonly #unfinished = new Map<string, number>();
  readonly #held = new Map<string, number>();
  /** Sockets whose first request head is still on its way. */
  readonly #waitingHead = new WeakSet<Socket>();

  constructor(private readonly options: ServerOptions, private readonly clients: ClientAddresses) {}

  /**
   * Counts a new socket of its address; returns the fault when the address is
   * over a quota (the socket is then not counted: the caller refuses it).
   */
  admit(socket: Socket): LabError | undefined {
    if (this.clients.isTrustedProxy(socket.remoteAddress)) return undefined;
    const address = addressOf(socket);
    const sockets = this.#sockets.get(address) ?? 0;
    if (sockets >= this.options.maxSocketsPerAddress) {
      return new LabError('too_many_connections', `this address holds its maximum of ${this.options.maxSocketsPerAddress} sockets (maxSocketsPerAddress)`, 1);
    }
    const unfinished = this.#unfinished.get(address) ?? 0;
    if (unfinished >= this.options.maxUnfinishedRequestsPerAddress) {
      return new LabError('too_many_connections', `this address has ${unfinished} unfinished requests (maxUnfinishedRequestsPerAddress)`, 1);
    }
    this.#sockets.set(address, sockets + 1);
    this.#unfinished.set(address, unfinished + 1);
    this.#waitingHead.add(socket);
    // 'close' comes once: `on`, as every per-connection 'close' listener here (accounting.ts says why).
    socket.on('close', () => {
      this.headArrived(socket);
      decrement(this.#sockets, address);
    });
    return undefined;
  }

  /** The socket's first request head (or upgrade) arrived: it no longer counts as unfinished. */
  headArrived(socket: Socket): void {
    if (!this.#waitingHead.has(socket)) return;
    this.#waitingHead.delete(socket);
    decrement(this.#unfinished, addressOf(socket));
  }

  /**
   * Counts a held long poll or stream of `address`; throws too_many_connections
   * over the quota. The caller gives it back once with `unhold` (a held request
   * keeps one release for all it holds: no closure per request, issue 12).
   */
  hold(address: string): void {
    const held = this.#held.get(address) ?? 0;
    if (held >= this.options.maxHeldPerAddress) {
      throw new LabError('too_many_connections', `this address holds its maximum of ${this.options.maxHeldPerAddress} long polls and streams (maxHeldPerAddress)`, 1);
    }
    this.#held.set(address, held + 1);
  }

  unhold(address: string): void {
    decrement(this.#held, address);
  }

  /** Sockets open from `address` now (for tests and stats). */
  socketsOf(address: string): number {
    return this.#sockets.get(address) ?? 0;
  }
}

export function addressOf(socket: { remoteAddress?: string | undefined }): string {
  return socket.remoteAddress ?? 'unknown';
}

/** Keeps the maps as small as the set of addresses connected now. */
function decrement(map: Map<string, number>, key: string): void {
  const left = (map.get(key) ?? 1) - 1;
  if (left <= 0) map.delete(key);
  else map.set(key, left);
}
