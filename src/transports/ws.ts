import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { LabError } from '../protocol/index.ts';
import type { Session } from '../server/sessions.ts';
import { toLabError, wsCloseCode } from './errors.ts';
import { WsPeer } from './ws-peer.ts';
import type { Transport, TransportContext } from './types.ts';

/**
 * The WebSocket hub (`GET /ws`, upgrade). `ws` runs in noServer mode on our one
 * http.Server; frames over `maxFrameBytes` are closed 1009 by `ws` itself
 * (`maxPayload`).
 *
 * A foreign Origin is refused before the upgrade with HTTP 403 (PROTOCOL.md §
 * Origins). Other faults — no or bad token, the connection limit, shutdown —
 * complete the upgrade and close with their code (1008, 1013, 1001), because a
 * browser's WebSocket cannot read the status of a refused handshake.
 */
/** How long a closing server waits for WebSocket peers to answer its close frame. */
const SHUTDOWN_GRACE_MS = 1_000;

export function createWsTransport(context: TransportContext): Transport {
  const counters = context.accounting.transports.ws;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: context.options.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const peers = new Set<WsPeer>();
  /** Every upgraded socket until it is gone, including those closing (a slow consumer's grace). */
  const sockets = new Set<WebSocket>();
  const heartbeat = setInterval(() => {
    for (const peer of peers) peer.heartbeat();
  }, context.options.wsPingIntervalMs);
  heartbeat.unref();

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, params: URLSearchParams): void {
    const meter = context.accounting.meterOf(req.socket);
    const handshakeIn = meter ? meter.claim('ws').bytesIn - head.length : 0;
    counters.in.headers += Math.max(0, handshakeIn);
    counters.requests += 1;
    if (!context.originAllowed(req)) {
      refuse(socket, 403, new LabError('forbidden', 'this Origin is not allowed'));
      return;
    }
    let session: Session | undefined;
    let fault: LabError | undefined;
    try {
      if (context.shuttingDown) throw new LabError('shutting_down', 'the server is stopping');
      session = context.authenticate(req, params);
      if (context.accounting.openSockets > context.options.maxConnections) {
        throw new LabError('too_many_connections', 'the server holds its maximum of connections');
      }
    } catch (error) {
      fault = toLabError(error);
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      counters.out.headers += meter ? meter.flush().bytesOut : 0;
      sockets.add(ws);
      ws.once('close', () => sockets.delete(ws));
      if (fault || !session) {
        closeWith(ws, fault ?? new LabError('unauthorized', 'no session'));
        return;
      }
      let peer: WsPeer;
      try {
        // Counts against the session's quota (maxHeldPerSession): over it, the socket closes 1013.
        peer = new WsPeer(context, ws, socket, session, () => peers.delete(peer));
      } catch (error) {
        closeWith(ws, toLabError(error));
        return;
      }
      peers.add(peer);
    });
  }

  /** Answers a handshake with a plain HTTP error (its head counted as ws headers, its JSON as body). */
  function refuse(socket: Duplex, status: number, error: LabError): void {
    const body = JSON.stringify(error.toBody());
    const bodyBytes = Buffer.byteLength(body);
    const head =
      `HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${bodyBytes}\r\nConnection: close\r\n\r\n`;
    counters.out.headers += Buffer.byteLength(head);
    counters.out.bodies += bodyBytes;
    socket.end(head + body);
  }

  function closeWith(ws: WebSocket, error: LabError): void {
    ws.close(wsCloseCode(error), error.code);
  }

  return {
    name: 'ws',
    handleUpgrade: upgrade,
    async close() {
      clearInterval(heartbeat);
      for (const peer of [...peers]) peer.shutDown();
      // Peers that answer the close go at once; one that stopped reading is cut after a grace.
      const gone = [...sockets].map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
      const cut = setTimeout(() => {
        for (const ws of sockets) ws.terminate();
      }, SHUTDOWN_GRACE_MS);
      await Promise.all(gone);
      clearTimeout(cut);
      wss.close();
    },
  };
}
