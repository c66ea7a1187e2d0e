/**
 * Reference: SockJS (sockjs-node) as users mount it — `createServer()` with
 * its defaults, `installHandlers` on a node:http server under `/sockjs`, every
 * transport on (websocket, xhr-streaming, eventsource, xhr-polling …). SockJS
 * has no rooms: the lab's frames travel inside SockJS messages, and a `Set`
 * of connections per topic is the room, written to one by one (`conn.write`,
 * as a SockJS application does). `POST /api/messages` publishes to the same
 * rooms for the HTTP publisher.
 *
 * Run: node --import ./scripts/ts-loader.mjs bench/peers/refs/sockjs.ts --port 0
 */
import { createServer } from 'node:http';
import sockjs, { type Connection } from 'sockjs';
import { MiniBus, encodeCursor } from './mini-bus.ts';
import { answerSession, listenAndAnnounce, splitTarget } from './listen.ts';
import { readPublish, writeJson } from './http-publish.ts';

const bus = new MiniBus();
const rooms = new Map<string, Set<Connection>>();
let open = 0;

function publish(topic: string, body: string, from: string, id?: string): { topic: string; seq: number; id: string; ts: number } {
  const message = bus.publish(topic, body, from, id);
  const frame = JSON.stringify({ op: 'message', ...message, cursor: encodeCursor({ [topic]: message.seq }) });
  for (const conn of rooms.get(topic) ?? []) conn.write(frame);
  return { topic, seq: message.seq, id: message.id, ts: message.ts };
}

const service = sockjs.createServer({ prefix: '/sockjs', log: () => undefined });
service.on('connection', (conn: Connection | null) => {
  if (!conn) return;
  open += 1;
  const joined: string[] = [];
  conn.on('data', (text: string) => {
    let frame: { op?: unknown; topics?: unknown; topic?: unknown; body?: unknown; id?: unknown; ref?: unknown };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      conn.write(JSON.stringify({ op: 'error', code: 'bad_request', message: 'malformed JSON' }));
      return;
    }
    if (frame.op === 'subscribe' && Array.isArray(frame.topics)) {
      const positions: Record<string, number> = {};
      for (const topic of frame.topics.filter((item): item is string => typeof item === 'string')) {
        let room = rooms.get(topic);
        if (!room) rooms.set(topic, (room = new Set()));
        room.add(conn);
        joined.push(topic);
        positions[topic] = bus.lastSeq(topic);
      }
      conn.write(JSON.stringify({ op: 'subscribed', ref: frame.ref, cursor: encodeCursor(positions) }));
    } else if (frame.op === 'publish' && typeof frame.topic === 'string' && typeof frame.body === 'string') {
      const result = publish(frame.topic, frame.body, conn.id, typeof frame.id === 'string' ? frame.id : undefined);
      conn.write(JSON.stringify({ op: 'ack', ref: frame.ref, ...result }));
    } else {
      conn.write(JSON.stringify({ op: 'error', ref: frame.ref, code: 'bad_request', message: 'unknown frame' }));
    }
  });
  conn.once('close', () => {
    open -= 1;
    for (const topic of joined) rooms.get(topic)?.delete(conn);
  });
});

const server = createServer((req, res) => {
  const { path, query } = splitTarget(req.url ?? '/');
  if (req.method === 'POST' && path === '/api/session') return answerSession(req, res);
  if (path === '/api/stats') return writeJson(res, 200, JSON.stringify({ held: null, connections: open }));
  if (req.method === 'POST' && path === '/api/messages') {
    return readPublish(req, res, query, (request, from) => writeJson(res, 201, JSON.stringify(publish(request.topic, request.body, from, request.id))));
  }
  writeJson(res, 404, JSON.stringify({ error: { code: 'bad_request', message: 'no route' } }));
});
service.installHandlers(server);

listenAndAnnounce('sockjs', server, process.argv.slice(2));
