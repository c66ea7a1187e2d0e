import type { Duplex } from 'node:stream';

/**
 * Corks a socket on its first write in an event-loop turn and uncorks every
 * such socket once, when the turn's I/O callbacks are done (`setImmediate`).
 * At saturation several frames to one socket then leave in one `writev`
 * instead of one syscall each; under light load a frame waits only for the
 * rest of the current turn. One shared list and one scheduled flush, however
 * many sockets are corked.
 */
let corked = new Set<Duplex>();
let scheduled = false;

export function corkForThisTurn(socket: Duplex): void {
  if (corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(uncorkAll);
  }
}

function uncorkAll(): void {
  scheduled = false;
  const sockets = corked;
  corked = new Set();
  for (const socket of sockets) socket.uncork();
}
