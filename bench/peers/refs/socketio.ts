/**
 * Reference: socket.io with its websocket transport only — what many users
 * pick instead of a hand-made hub — or, with `--polling`, with
 * `transports: ['polling']`: engine.io's HTTP long-polling (a held `GET` per
 * client, packets joined by `\x1e`, sends as `POST`). Events mirror the lab's frames:
 * `subscribe(topics, ack)`, `publish({topic, body, id}, ack)`, and the server
 * emits `message` to the topic's room (one encode per broadcast, as the
 * adapter does).
 *
 * With `--redis <url>` (and `--redis-prefix`), on @socket.io/redis-streams-adapter
 * so that several of it run as one cluster (socketio-redis.ts).
 *
 * Run: node --import ./scripts/ts-loader.mjs bench/peers/refs/socketio.ts --port 0 [--polling] [--redis redis://127.0.0.1:6379]
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { MiniBus, encodeCursor } from './mini-bus.ts';
import { answerSession, listenAndAnnounce, splitTarget } from './listen.ts';
import { readPublish } from './http-publish.ts';
import { parseRedisArgs, useRedisStreams } from './socketio-redis.ts';

type Ack = (answer: unknown) => void;

const bus = new MiniBus();
const polling = process.argv.includes('--polling');

function publish(topic: string, body: string, from: string, id?: string): { topic: string; seq: number; id: string; ts: number } {
  const message = bus.publish(topic, body, from, id);
  io.to(message.topic).emit('message', { ...message, cursor: encodeCursor({ [message.topic]: message.seq }) });
  return { topic: message.topic, seq: message.seq, id: message.id, ts: message.ts };
}

/** engine.io clients whose long-polling GET is held right now (its transport is writable then). */
function heldPolls(): number {
  let held = 0;
  // engine.io keeps its clients protected; the map is read, not changed.
  const clients = (io.engine as unknown as { clients: Record<string, { transport: { writable: boolean } }> }).clients;
  for (const client of Object.values(clients)) if (client.transport.writable) held += 1;
  return held;
}

const server = createServer((req, res) => {
  const { path, query } = splitTarget(req.url ?? '/');
  if (path === '/api/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ held: polling ? heldPolls() : 0, connections: io.engine.clientsCount }));
    return;
  }
  if (req.method === 'POST' && path === '/api/session') return answerSession(req, res);
  if (req.method === 'POST' && path === '/api/messages') {
    return readPublish(req, res, query, (request, from) => {
      const json = JSON.stringify(publish(request.topic, request.body, from, request.id));
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json);
    });
  }
  if (path.startsWith('/socket.io/')) return; // engine.io answers these
  res.writeHead(404).end();
});

const io = new Server(server, { transports: polling ? ['polling'] : ['websocket'], serveClient: false, perMessageDeflate: false });

io.use((socket, next) => {
  const token = socket.handshake.query.token ?? socket.handshake.auth.token;
  if (typeof token === 'string' && token.length > 0) next();
  else next(new Error('unauthorized'));
});

io.on('connection', (socket) => {
  const from = String(socket.handshake.query.token ?? socket.handshake.auth.token);
  socket.on('subscribe', (topics: unknown, ack?: Ack) => {
    const list = Array.isArray(topics) ? topics.filter((topic): topic is string => typeof topic === 'string') : [];
    void socket.join(list);
    const positions: Record<string, number> = {};
    for (const topic of list) positions[topic] = bus.lastSeq(topic);
    if (typeof ack === 'function') ack({ cursor: encodeCursor(positions) });
  });
  socket.on('publish', (request: { topic?: unknown; body?: unknown; id?: unknown }, ack?: Ack) => {
    if (typeof request?.topic !== 'string' || typeof request.body !== 'string') {
      if (typeof ack === 'function') ack({ error: { code: 'bad_request', message: 'topic and body are required' } });
      return;
    }
    const result = publish(request.topic, request.body, from, typeof request.id === 'string' ? request.id : undefined);
    if (typeof ack === 'function') ack(result);
  });
});

const redis = parseRedisArgs(process.argv.slice(2));
const closeRedis = redis ? await useRedisStreams(io, redis) : undefined;

listenAndAnnounce('socketio', server, process.argv.slice(2), () => {
  void io.close();
  closeRedis?.();
});
