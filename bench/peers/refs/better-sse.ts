/**
 * Reference: better-sse as its documentation shows it — `createSession(req,
 * res)` per stream, one `createChannel()` per topic that the session is
 * registered with, `channel.broadcast(message, 'message')` on publish, the
 * library's defaults (keep-alive comment, retry field, JSON serializer). After
 * registering, the session gets `event: subscribed` so that a client knows it
 * is in the room. `POST /api/messages` publishes.
 *
 * Run: node --import ./scripts/ts-loader.mjs bench/peers/refs/better-sse.ts --port 0
 */
import { createServer } from 'node:http';
import { createChannel, createSession, type Channel } from 'better-sse';
import { MiniBus, encodeCursor } from './mini-bus.ts';
import { answerSession, listenAndAnnounce, splitTarget, tokenOf } from './listen.ts';
import { readPublish, writeJson } from './http-publish.ts';

const bus = new MiniBus();
const channels = new Map<string, Channel>();
let openStreams = 0;

function channelOf(topic: string): Channel {
  let channel = channels.get(topic);
  if (!channel) channels.set(topic, (channel = createChannel()));
  return channel;
}

const server = createServer((req, res) => {
  const { path, query } = splitTarget(req.url ?? '/');
  if (req.method === 'POST' && path === '/api/session') return answerSession(req, res);
  if (path === '/api/stats') return writeJson(res, 200, JSON.stringify({ held: openStreams, connections: openStreams }));
  if (req.method === 'GET' && path === '/api/events') {
    if (!tokenOf(req.headers.authorization, query)) return writeJson(res, 401, JSON.stringify({ error: { code: 'unauthorized', message: 'no token' } }));
    const topics = (query.get('topics') ?? '').split(',').filter((topic) => topic.length > 0);
    if (topics.length === 0) return writeJson(res, 400, JSON.stringify({ error: { code: 'bad_request', message: 'topics' } }));
    createSession(req, res).then((session) => {
      openStreams += 1;
      session.once('disconnected', () => (openStreams -= 1));
      const positions: Record<string, number> = {};
      for (const topic of topics) {
        channelOf(topic).register(session);
        positions[topic] = bus.lastSeq(topic);
      }
      session.push(encodeCursor(positions), 'subscribed');
    }, () => res.destroy());
    return;
  }
  if (req.method === 'POST' && path === '/api/messages') {
    return readPublish(req, res, query, (request, from) => {
      const message = bus.publish(request.topic, request.body, from, request.id);
      channels.get(request.topic)?.broadcast(message, 'message');
      writeJson(res, 201, JSON.stringify({ topic: message.topic, seq: message.seq, id: message.id, ts: message.ts }));
    });
  }
  writeJson(res, 404, JSON.stringify({ error: { code: 'bad_request', message: 'no route' } }));
});

listenAndAnnounce('better-sse', server, process.argv.slice(2));
