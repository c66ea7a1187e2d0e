/**
 * Reference: socket.io with its websocket transport only — what many users
 * pick instead of a hand-made hub. Events mirror the lab's frames:
 * `subscribe(topics, ack)`, `publish({topic, body, id}, ack)`, and the server
 * emits `message` to the topic's room (one encode per broadcast, as the
 * adapter does).
 *
 * Run: node --import tsx bench/peers/refs/socketio.ts --port 0
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { MiniBus, encodeCursor } from './mini-bus.ts';
import { answerSession, listenAndAnnounce, splitTarget } from './listen.ts';

type Ack = (answer: unknown) => void;

const bus = new MiniBus();

const server = createServer((req, res) => {
  const { path } = splitTarget(req.url ?? '/');
  if (path === '/api/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ held: 0, connections: io.engine.clientsCount }));
    return;
  }
  if (req.method === 'POST' && path === '/api/session') return answerSession(req, res);
  if (path.startsWith('/socket.io/')) return; // engine.io answers these
  res.writeHead(404).end();
});

const io = new Server(server, { transports: ['websocket'], serveClient: false, perMessageDeflate: false });

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
    const message = bus.publish(request.topic, request.body, from, typeof request.id === 'string' ? request.id : undefined);
    io.to(message.topic).emit('message', { ...message, cursor: encodeCursor({ [message.topic]: message.seq }) });
    if (typeof ack === 'function') ack({ topic: message.topic, seq: message.seq, id: message.id, ts: message.ts });
  });
});

listenAndAnnounce('socketio', server, process.argv.slice(2), () => void io.close());
