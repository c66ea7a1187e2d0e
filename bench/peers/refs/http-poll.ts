/**
 * Reference: bare `node:http` serving the poll shape (issue 5). `poll`
 * answers at once; `longpoll` parks the response in a `Set` per topic that a
 * publish empties in one pass; `POST /api/messages` publishes. No framework,
 * no token signature — the floor our server is compared with.
 *
 * Run: node --import ./scripts/ts-loader.mjs bench/peers/refs/http-poll.ts --port 0
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { ErrorCode, Message, PollResponse } from '../../../src/protocol/index.ts';
import { ERRORS } from '../../../src/protocol/index.ts';
import { MiniBus, decodeCursor, encodeCursor, type CursorPositions } from './mini-bus.ts';
import { answerSession, listenAndAnnounce, splitTarget, tokenOf } from './listen.ts';

const MAX_BODY_BYTES = 20 * 1024;
const POLL_LIMIT = 100;

interface Waiter {
  res: ServerResponse;
  topics: string[];
  positions: CursorPositions;
  /** The cursor the waiter came with: waiters sharing it get the same bytes. */
  cursorIn: string;
  timer: NodeJS.Timeout;
}

const bus = new MiniBus();
const waitersByTopic = new Map<string, Set<Waiter>>();
let heldCount = 0;
let openSockets = 0;

function sendJson(res: ServerResponse, status: number, json: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

function sendError(res: ServerResponse, code: ErrorCode, message: string): void {
  sendJson(res, ERRORS[code].status, JSON.stringify({ error: { code, message } }));
}

/** Topics and positions of a receive request, or an error message. */
function readSubscription(query: URLSearchParams): { topics: string[]; positions: CursorPositions } | string {
  const topics = (query.get('topics') ?? '').split(',').filter((topic) => topic.length > 0);
  if (topics.length === 0 || topics.length > 32) return 'topics: 1 to 32 topics';
  const cursor = query.get('cursor');
  const fromCursor = cursor ? decodeCursor(cursor) : {};
  if (!fromCursor) return 'cursor: not a cursor of this server';
  const positions: CursorPositions = {};
  for (const topic of topics) positions[topic] = fromCursor[topic] ?? bus.lastSeq(topic);
  return { topics, positions };
}

function collect(topics: string[], positions: CursorPositions): PollResponse {
  const messages: Message[] = [];
  const after: CursorPositions = { ...positions };
  for (const topic of topics) {
    for (const message of bus.after(topic, positions[topic], POLL_LIMIT - messages.length)) {
      messages.push(message);
      after[topic] = message.seq;
    }
  }
  return { messages, gaps: [], cursor: encodeCursor(after), more: messages.length >= POLL_LIMIT };
}

function hold(res: ServerResponse, topics: string[], positions: CursorPositions, waitSeconds: number): void {
  const waiter: Waiter = {
    res, topics, positions, cursorIn: encodeCursor(positions),
    timer: setTimeout(() => release(waiter, JSON.stringify(collect(topics, positions))), waitSeconds * 1000),
  };
  for (const topic of topics) {
    let waiters = waitersByTopic.get(topic);
    if (!waiters) waitersByTopic.set(topic, (waiters = new Set()));
    waiters.add(waiter);
  }
  heldCount += 1;
  res.once('close', () => forget(waiter));
}

function forget(waiter: Waiter): boolean {
  let removed = false;
  for (const topic of waiter.topics) removed = waitersByTopic.get(topic)?.delete(waiter) === true || removed;
  if (removed) {
    heldCount -= 1;
    clearTimeout(waiter.timer);
  }
  return removed;
}

function release(waiter: Waiter, json: string): void {
  if (forget(waiter)) sendJson(waiter.res, 200, json);
}

function releaseTopic(topic: string): void {
  const waiters = waitersByTopic.get(topic);
  if (!waiters || waiters.size === 0) return;
  // Encode once per distinct incoming cursor: one body for a whole room.
  const bodies = new Map<string, string>();
  for (const waiter of [...waiters]) {
    let json = bodies.get(waiter.cursorIn);
    if (json === undefined) {
      json = JSON.stringify(collect(waiter.topics, waiter.positions));
      bodies.set(waiter.cursorIn, json);
    }
    release(waiter, json);
  }
}

function publish(req: IncomingMessage, res: ServerResponse, from: string): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_BODY_BYTES) return sendError(res, 'payload_too_large', 'body too large');
    let request: { topic?: unknown; body?: unknown; id?: unknown };
    try {
      request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof request;
    } catch {
      return sendError(res, 'bad_request', 'malformed JSON');
    }
    if (typeof request.topic !== 'string' || typeof request.body !== 'string') {
      return sendError(res, 'bad_request', 'topic and body are required strings');
    }
    const id = typeof request.id === 'string' ? request.id : undefined;
    const message = bus.publish(request.topic, request.body, from, id);
    releaseTopic(message.topic);
    sendJson(res, 201, JSON.stringify({ topic: message.topic, seq: message.seq, id: message.id, ts: message.ts }));
  });
}

const server = createServer((req, res) => {
  const { path, query } = splitTarget(req.url ?? '/');
  if (req.method === 'POST' && path === '/api/session') return answerSession(req, res);
  if (path === '/healthz') return sendJson(res, 200, '"ok"');
  if (path === '/api/stats') return sendJson(res, 200, JSON.stringify({ held: heldCount, connections: openSockets }));
  const token = tokenOf(req.headers.authorization, query);
  if (!token) return sendError(res, 'unauthorized', 'no token');
  if (req.method === 'POST' && path === '/api/messages') return publish(req, res, token);
  if (req.method === 'GET' && (path === '/api/poll' || path === '/api/longpoll')) {
    const subscription = readSubscription(query);
    if (typeof subscription === 'string') return sendError(res, 'bad_request', subscription);
    const answer = collect(subscription.topics, subscription.positions);
    if (path === '/api/poll' || answer.messages.length > 0) return sendJson(res, 200, JSON.stringify(answer));
    const wait = Math.min(60, Math.max(0, Number(query.get('wait') ?? 25) || 0));
    return hold(res, subscription.topics, subscription.positions, wait);
  }
  sendError(res, 'bad_request', `no route ${req.method ?? ''} ${path}`);
});

server.on('connection', (socket) => {
  openSockets += 1;
  socket.once('close', () => (openSockets -= 1));
});

listenAndAnnounce('http-poll', server, process.argv.slice(2));
