import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/**
 * The TCP socket a request really arrived on, whatever carried it: node:http
 * gives it as `req.socket`; HTTP/1.1 over TLS gives the TLSSocket (whose byte
 * counters count plaintext); HTTP/2 gives a proxy of its session's socket (a
 * different object, so no Map or Set finds it). The accounting, the address
 * limits and maxConnections all key on the TCP socket, so each socket is marked
 * with itself when it connects, a TLSSocket with the TCP socket under it, and a
 * request finds its mark through whichever of these it holds (a proxy forwards
 * the property read).
 */
const WIRE = Symbol('transport-lab.wireSocket');

type Marked = { [WIRE]?: Socket };

/** Marks a freshly accepted TCP socket as its own wire. */
export function markWire(socket: Socket): void {
  (socket as Marked)[WIRE] = socket;
}

/** Marks a TLSSocket with the TCP socket it wraps (node keeps it as `_parent`). */
export function markTlsWire(tlsSocket: TLSSocket): void {
  const parent = (tlsSocket as TLSSocket & { _parent?: unknown })._parent;
  const marked = parent && typeof parent === 'object' ? (parent as Marked)[WIRE] : undefined;
  if (marked) (tlsSocket as Marked)[WIRE] = marked;
}

/** The TCP socket under `req` (its own socket when nothing marked it). */
export function wireSocketOf(req: IncomingMessage): Socket {
  try {
    return (req.socket as Marked)[WIRE] ?? req.socket;
  } catch {
    // An HTTP/2 session already gone: its proxy throws on every read.
    return req.socket;
  }
}
