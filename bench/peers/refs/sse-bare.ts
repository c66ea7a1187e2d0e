/**
 * Reference: a bare `text/event-stream` writer. `GET /api/events` flushes
 * the headers and keeps the response in a `Set` per topic; `POST
 * /api/messages` writes one pre-encoded event to each (PROTOCOL.md § Receiving).
 *
 * Run: node --import ./scripts/ts-loader.mjs bench/peers/refs/sse-bare.ts --port 0
 */
import { createServer, type ServerResponse } from 'node:http';
import { MiniBus, encodeCursor } from './mini-bus.ts';
import { answerSession, listenAndAnnounce, splitTarget, tokenOf } from './listen.ts';

const bus = new MiniBus();
const streams = new Map<string, Set<ServerResponse>>();
let openStreams = 0;

function openStream(res: ServerResponse, topics: string[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  for (const topic of topics) {
    let set = streams.get(topic);
    if (!set) streams.set(topic, (set = new Set()));
    set.add(res);
  }
  openStreams += 1;
  res.once('close', () => {
    openStreams -= 1;
    for (const topic of topics) streams.get(topic)?.delete(res);
  });
}

function writeJson(res: ServerResponse, status: number, json: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

const server = createServer((req, res) => {
  const { path, query } = splitTarget(req.url ?? '/');
  if (path === '/api/stats') return writeJson(res, 200, JSON.stringify({ held: openStreams, connections: openStreams }));
  if (req.method === 'POST' && path === '/api/session') return answerSession(req, res);
  const token = tokenOf(req.headers.authorization, query);
  if (!token) return writeJson(res, 401, JSON.stringify({ error: { code: 'unauthorized', message: 'no token' } }));
  if (req.method === 'GET' && path === '/api/events') {
    const topics = (query.get('topics') ?? '').split(',').filter((topic) => topic.length > 0);
    if (topics.length === 0) return writeJson(res, 400, JSON.stringify({ error: { code: 'bad_request', message: 'topics' } }));
    return openStream(res, topics);
  }
  if (req.method === 'POST' && path === '/api/messages') {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let request: { topic?: unknown; body?: unknown; id?: unknown };
      try {
        request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof request;
      } catch {
        return writeJson(res, 400, JSON.stringify({ error: { code: 'bad_request', message: 'malformed JSON' } }));
      }
      const { topic, body, id } = request;
      if (typeof topic !== 'string' || typeof body !== 'string') {
        return writeJson(res, 400, JSON.stringify({ error: { code: 'bad_request', message: 'topic and body are required' } }));
      }
      const message = bus.publish(topic, body, token, typeof id === 'string' ? id : undefined);
      const event = `event: message\nid: ${encodeCursor({ [topic]: message.seq })}\ndata: ${JSON.stringify(message)}\n\n`;
      const bytes = Buffer.from(event);
      for (const stream of streams.get(topic) ?? []) stream.write(bytes);
      writeJson(res, 201, JSON.stringify({ topic, seq: message.seq, id: message.id, ts: message.ts }));
    });
    return;
  }
  writeJson(res, 404, JSON.stringify({ error: { code: 'bad_request', message: 'no route' } }));
});

listenAndAnnounce('sse-bare', server, process.argv.slice(2));
