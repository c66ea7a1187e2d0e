/**
 * Reference: raw `ws` speaking the lab's frames (PROTOCOL.md § WebSocket
 * frames), broadcasting one pre-encoded Buffer to every subscriber of a topic
 * (STYLE habit 2). No auth beyond a token being present, no limits.
 * With `--cork`, each socket is corked for the event-loop turn as our server
 * does (src/transports/turn-cork.ts), so the two can be compared like for like.
 *
 * Run: node --import ./scripts/ts-loader.mjs bench/peers/refs/ws-raw.ts --port 0 [--cork]
 */
import { createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { corkForThisTurn } from '../../../src/transports/turn-cork.ts';
import type { ClientFrame } from '../../../src/protocol/index.ts';
import { MiniBus, encodeCursor } from './mini-bus.ts';
import { answerSession, listenAndAnnounce, splitTarget, tokenOf } from './listen.ts';

const bus = new MiniBus();
const subscribers = new Map<string, Set<WebSocket>>();
const CORK = process.argv.includes('--cork');
/** The TCP socket under each WebSocket, for `--cork`. */
const transportOf = new WeakMap<WebSocket, Duplex>();

function subscribe(socket: WebSocket, topics: string[]): void {
  for (const topic of topics) {
    let set = subscribers.get(topic);
    if (!set) subscribers.set(topic, (set = new Set()));
    set.add(socket);
  }
}

function unsubscribe(socket: WebSocket, topics: Iterable<string>): void {
  for (const topic of topics) subscribers.get(topic)?.delete(socket);
}

function broadcast(topic: string, frame: Buffer): void {
  const set = subscribers.get(topic);
  if (!set) return;
  for (const socket of set) {
    const transport = CORK ? transportOf.get(socket) : undefined;
    if (transport) corkForThisTurn(transport);
    socket.send(frame, { binary: false });
  }
}

function onFrame(socket: WebSocket, from: string, topicsOfSocket: Set<string>, data: Buffer): void {
  let frame: ClientFrame;
  try {
    frame = JSON.parse(data.toString('utf8')) as ClientFrame;
  } catch {
    socket.send(JSON.stringify({ op: 'error', code: 'bad_request', message: 'malformed JSON' }));
    return;
  }
  if (frame.op === 'subscribe' && Array.isArray(frame.topics)) {
    subscribe(socket, frame.topics);
    const positions: Record<string, number> = {};
    for (const topic of frame.topics) {
      topicsOfSocket.add(topic);
      positions[topic] = bus.lastSeq(topic);
    }
    socket.send(JSON.stringify({ op: 'subscribed', ref: frame.ref, cursor: encodeCursor(positions) }));
  } else if (frame.op === 'unsubscribe' && Array.isArray(frame.topics)) {
    unsubscribe(socket, frame.topics);
    for (const topic of frame.topics) topicsOfSocket.delete(topic);
  } else if (frame.op === 'publish' && typeof frame.topic === 'string' && typeof frame.body === 'string') {
    const message = bus.publish(frame.topic, frame.body, from, frame.id);
    const cursor = encodeCursor({ [message.topic]: message.seq });
    broadcast(message.topic, Buffer.from(JSON.stringify({ op: 'message', ...message, cursor })));
    socket.send(JSON.stringify({ op: 'ack', ref: frame.ref, topic: message.topic, seq: message.seq, id: message.id, ts: message.ts }));
  } else {
    socket.send(JSON.stringify({ op: 'error', ref: 'ref' in frame ? frame.ref : undefined, code: 'bad_request', message: 'unknown frame' }));
  }
}

const server = createServer((req, res) => {
  const { path } = splitTarget(req.url ?? '/');
  if (path === '/api/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ held: 0, connections: wss.clients.size }));
    return;
  }
  if (req.method === 'POST' && path === '/api/session') return answerSession(req, res);
  res.writeHead(404).end();
});

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on('upgrade', (req, socket, head) => {
  const { path, query } = splitTarget(req.url ?? '/');
  const token = tokenOf(req.headers.authorization, query);
  if (path !== '/ws' || !token) {
    socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    const topicsOfSocket = new Set<string>();
    transportOf.set(ws, socket);
    ws.on('message', (data: Buffer) => onFrame(ws, token, topicsOfSocket, data));
    ws.on('close', () => unsubscribe(ws, topicsOfSocket));
  });
});

listenAndAnnounce('ws-raw', server, process.argv.slice(2));
