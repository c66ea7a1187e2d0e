/**
 * Reference: Faye (Bayeux) as users mount it — `new NodeAdapter({ mount })`
 * attached to a node:http server, its default long-polling and WebSocket
 * transports, default timeout. One extension stamps each published message
 * with the topic's seq, sender and time (the lab's envelope), as the other
 * references do. `POST /api/messages` publishes through Faye's in-process
 * client, so the HTTP-published fan-out goes through the same pipeline as a
 * client's publish. Lab topic `room:a` is Bayeux channel `/room/a`.
 *
 * Run: node --import ./scripts/ts-loader.mjs bench/peers/refs/faye.ts --port 0
 */
import { createServer } from 'node:http';
import faye, { type BayeuxMessage } from 'faye';
import { bayeuxChannel } from '../load/dialects.ts';
import { MiniBus } from './mini-bus.ts';
import { answerSession, listenAndAnnounce, splitTarget } from './listen.ts';
import { readPublish, writeJson } from './http-publish.ts';

const bus = new MiniBus();
const bayeux = new faye.NodeAdapter({ mount: '/faye' });

/** The topic of a Bayeux channel (`/room/a` → `room:a`), or null for meta and service channels. */
function topicOf(channel: string): string | null {
  if (channel.startsWith('/meta/') || channel.startsWith('/service/')) return null;
  return channel.slice(1).replace(/\//g, ':');
}

bayeux.addExtension({
  incoming(message: BayeuxMessage, callback: (message: BayeuxMessage) => void): void {
    const topic = topicOf(message.channel);
    const data = message.data as { body?: unknown; id?: unknown; from?: unknown } | undefined;
    if (topic !== null && data && typeof data.body === 'string') {
      const from = typeof data.from === 'string' ? data.from : message.clientId ?? 'anonymous';
      message.data = bus.publish(topic, data.body, from, typeof data.id === 'string' ? data.id : undefined);
    }
    callback(message);
  },
});

const client = bayeux.getClient();

const server = createServer((req, res) => {
  const { path, query } = splitTarget(req.url ?? '/');
  if (req.method === 'POST' && path === '/api/session') return answerSession(req, res);
  if (path === '/api/stats') return writeJson(res, 200, JSON.stringify({ held: null, connections: null }));
  if (req.method === 'POST' && path === '/api/messages') {
    return readPublish(req, res, query, (request, from) => {
      client.publish(bayeuxChannel(request.topic), { body: request.body, id: request.id, from }).then(
        () => writeJson(res, 201, JSON.stringify({ topic: request.topic, id: request.id ?? null })),
        (error) => writeJson(res, 500, JSON.stringify({ error: { code: 'internal', message: String(error) } })),
      );
    });
  }
  writeJson(res, 404, JSON.stringify({ error: { code: 'bad_request', message: 'no route' } }));
});
bayeux.attach(server);

listenAndAnnounce('faye', server, process.argv.slice(2), () => bayeux.close());
