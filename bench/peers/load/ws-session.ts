/**
 * One WebSocket client through its dialect's handshake and subscription,
 * then handing every further payload to `onLive`.
 */
import { RawWebSocket } from './raw-ws.ts';
import type { WsDialect } from './dialects.ts';

export interface WsTarget {
  host: string;
  port: number;
  token: string;
}

/** Opens, runs the handshake, subscribes to `topic` when given, then routes payloads to `onLive`. */
export function openWsSession(
  target: WsTarget,
  dialect: WsDialect,
  topic: string | null,
  onLive: (payload: Buffer, ws: RawWebSocket) => void,
  timeoutMs = 20_000,
): Promise<RawWebSocket> {
  return new Promise((resolve, reject) => {
    let step = 0;
    let live = false;
    let ws: RawWebSocket | null = null;
    let early: Buffer[] = [];
    const timer = setTimeout(() => {
      ws?.destroy();
      reject(new Error(`no ${topic ? 'subscription' : 'handshake'} within ${timeoutMs} ms`));
    }, timeoutMs);
    const goLive = (socket: RawWebSocket): void => {
      live = true;
      clearTimeout(timer);
      resolve(socket);
    };
    const afterHandshake = (socket: RawWebSocket): void => {
      if (topic === null) goLive(socket);
      else socket.send(dialect.subscribeFrame(topic, socket.session));
    };
    const onPayload = (payload: Buffer): void => {
      if (!ws) {
        // The server may speak before `open` resolved (socket.io's `0{…}`).
        early.push(Buffer.from(payload));
        return;
      }
      if (live) return onLive(payload, ws);
      if (step < dialect.handshake.length) {
        const expected = dialect.handshake[step];
        if (!expected.waitFor(payload)) return;
        step += 1;
        if (expected.session) ws.session = expected.session(payload);
        if (expected.reply !== null) ws.send(expected.reply(ws.session));
        if (step === dialect.handshake.length) afterHandshake(ws);
        return;
      }
      // Bayeux may answer the connect and the subscribe in one frame: answer, then read on.
      const reply = dialect.autoReply(payload, ws.session);
      if (reply !== null) ws.send(reply);
      if (dialect.isError(payload)) {
        clearTimeout(timer);
        ws.destroy();
        reject(new Error(`refused: ${payload.toString('utf8').slice(0, 200)}`));
        return;
      }
      if (topic !== null && dialect.isSubscribed(payload)) goLive(ws);
    };
    RawWebSocket.open(target.host, target.port, dialect.path(target.token), {
      onPayload,
      onClose: () => {
        if (!live) {
          clearTimeout(timer);
          reject(new Error('closed before it was subscribed'));
        }
      },
    }, timeoutMs).then((socket) => {
      ws = socket;
      if (dialect.opening !== null) socket.send(dialect.opening);
      const queued = early;
      early = [];
      if (dialect.handshake.length === 0) afterHandshake(socket);
      for (const payload of queued) onPayload(payload);
    }, (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
