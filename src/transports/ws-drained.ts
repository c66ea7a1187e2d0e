import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/**
 * Resolves once at most `low` bytes wait unsent on `ws` (or it is gone:
 * `gone()`, or its 'close'), so that a replay writes no faster than its
 * reader takes it. Listeners are added only while it waits.
 */
export function drainedTo(ws: WebSocket, socket: Duplex, low: number, gone: () => boolean): Promise<void> {
  if (gone() || ws.bufferedAmount <= low) return Promise.resolve();
  return new Promise((resolve) => {
    const check = (): void => {
      if (!gone() && ws.bufferedAmount > low) return;
      socket.off('drain', check);
      ws.off('close', check);
      resolve();
    };
    socket.on('drain', check);
    ws.on('close', check);
  });
}
