import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { LabError } from '../protocol/index.ts';
import { toLabError, wsCloseCode } from './errors.ts';
import { rawErrorResponse } from './http-io.ts';
import { deflateMeter, perMessageDeflateOptions } from './ws-deflate.ts';
import { WsPeer } from './ws-peer.ts';
import { replayBatch } from './query.ts';
import { WsRooms } from './ws-rooms.ts';
import type { Admission, Transport, TransportContext } from './types.ts';

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
  const meter = context.meter;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: context.options.maxFrameBytes,
    perMessageDeflate: perMessageDeflateOptions(context.options),
    clientTracking: false,
  });
  const peers = new Set<WsPeer>();
  /** Sockets on one topic share its room once live: one subscription, one frame and one count per message (ws-rooms.ts). */
  const rooms = new WsRooms(context.bus, meter, replayBatch(context.options.wsMaxBufferedBytes, context.options));
  /** Every upgraded socket until it is gone, including those closing (a slow consumer's grace). */
  const sockets = new Set<WebSocket>();
  const heartbeat = setInterval(() => {
    for (const peer of peers) peer.heartbeat();
  }, context.options.wsPingIntervalMs);
  heartbeat.unref();

  // The server has charged the socket to this transport and counted the request and its head (create.ts).
  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, params: URLSearchParams): void {
    if (!context.originAllowed(req)) {
      refuse(socket, new LabError('forbidden', 'this Origin is not allowed'));
      return;
    }
    let admission: Admission | undefined;
    let fault: LabError | undefined;
    try {
      // Shutdown, session, maxConnections and the session's quota (maxHeldPerSession): a fault closes after the handshake.
      admission = context.admit(req, params, { hold: 'socket' });
      // A handshake that never completes (ws refuses it, the client left) still gives the hold back.
      if (socket.destroyed) admission.release();
      else socket.on('close', admission.release);
    } catch (error) {
      fault = toLabError(error);
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => accept(ws, socket, admission, fault));
  }

  /**
   * A completed handshake becomes a peer (or closes with its admission's
   * fault). A function of its own, so that what each connection keeps — its
   * listeners' closures — does not keep the upgrade's request too: a closure
   * here that named `req` held its IncomingMessage, headers and URL for the
   * connection's life (issue 12: RSS per idle connection).
   */
  function accept(ws: WebSocket, socket: Duplex, admission: Admission | undefined, fault: LabError | undefined): void {
    meter.handshakeOut(socket as Socket);
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    if (fault || !admission) {
      closeWith(ws, fault ?? new LabError('unauthorized', 'no session'));
      return;
    }
    // A socket that negotiated permessage-deflate counts its compressed payloads as bodies (ws-deflate.ts).
    const deflated = deflateMeter(ws, meter, context.options.compressionThresholdBytes);
    const peerContext = deflated ? Object.create(context, { meter: { value: deflated } }) as TransportContext : context;
    // A deflating socket counts its own (compressed) bytes, so it keeps an outbox of its own.
    const peer: WsPeer = new WsPeer(peerContext, ws, socket, admission, () => peers.delete(peer), deflated ? undefined : rooms);
    peers.add(peer);
  }

  /** Answers a handshake with a plain HTTP error (its head counted as ws headers, its JSON as body). */
  function refuse(socket: Duplex, error: LabError): void {
    const { head, body } = rawErrorResponse(error);
    meter.headersOut(Buffer.byteLength(head));
    meter.bodyOut(Buffer.byteLength(body));
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
