import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type MessageBus } from '../../src/bus/index.ts';
import { RedisAdapter } from '../../src/bus/redis-adapter.ts';
import type { Gap } from '../../src/protocol/index.ts';
import type { LabServer } from '../../src/server/create.ts';
import { OwnRedis } from '../bus/redis-server.ts';
import { closeAll, createSession, eventually, getJson, publish, startServer, TestSocket, type TestSession } from './helpers.ts';

/**
 * A client that stays connected while the bus's Redis is killed and started
 * empty (a new epoch, seqs from 1 again) must hear of it: one `restarted` gap
 * per topic, then every new message once, in order, with cursors of the new
 * epoch — on every transport that holds a receiver live (ws, sse, a held long poll).
 */
let redis: OwnRedis;
const buses: MessageBus[] = [];
const room = 'room:lobby';
const restarted: Gap = { topic: room, from: 1, to: 0, reason: 'restarted' };
/** More old messages than new ones: every new seq is at or below an old position, which used to drop them all. */
const OLD = ['old-1', 'old-2', 'old-3', 'old-4'];
const NEW = ['new-1', 'new-2', 'new-3'];

beforeAll(async () => {
  redis = await OwnRedis.start();
});
afterEach(async () => {
  await closeAll();
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
});
afterAll(() => redis.kill());

async function labOnRedis(): Promise<{ server: LabServer; alice: TestSession }> {
  const bus = await connectBus(new RedisAdapter({ url: redis.url, commandTimeoutMs: 300 }));
  buses.push(bus);
  const server = await startServer({ bus });
  return { server, alice: await createSession(server, 'alice') };
}

async function publishAll(server: LabServer, alice: TestSession, bodies: string[]): Promise<void> {
  for (const body of bodies) expect((await publish(server, alice, { topic: room, body })).status).toBe(201);
}

/** Kills Redis, starts it empty, and publishes `NEW` once the bus reaches it again (the first under the new epoch). */
async function restartRedisAndPublishNew(server: LabServer, alice: TestSession): Promise<void> {
  const oldEpoch = server.bus.epoch;
  redis.kill();
  await redis.restart();
  // With an id: a try that timed out and still got through later is answered as a duplicate, not stored twice.
  const first = await eventually(() => publish(server, alice, { topic: room, body: NEW[0], id: 'first-new' }), (r) => r.status === 201, 10_000);
  expect(first.json).toMatchObject({ seq: 1 });
  expect(server.bus.epoch).not.toBe(oldEpoch);
  await publishAll(server, alice, NEW.slice(1));
}

interface PollBody {
  messages: Array<{ body: string; seq: number }>;
  gaps: Gap[];
  cursor: string;
  more: boolean;
}

/** A plain poll from `cursor` after one more message: exactly that message, no gap — the cursor resumes where the client was. */
async function expectCursorResumes(server: LabServer, alice: TestSession, cursor: string): Promise<void> {
  await publishAll(server, alice, ['after']);
  const resumed = (await getJson(server, `/api/poll?topics=${room}&cursor=${encodeURIComponent(cursor)}`, alice.auth)).json as unknown as PollBody;
  expect(resumed.gaps).toEqual([]);
  expect(resumed.messages.map((m) => [m.seq, m.body])).toEqual([[NEW.length + 1, 'after']]);
}

interface SseEvent {
  event?: string;
  id?: string;
  data?: string;
}

/** A raw event stream, parsed as it comes. */
class EventStream {
  text = '';
  readonly request: http.ClientRequest;

  constructor(server: LabServer, session: TestSession, query: string) {
    this.request = http.get(`${server.url}/api/events?${query}`, { headers: session.auth }, (res) => {
      res.on('data', (chunk: Buffer) => (this.text += chunk.toString()));
    });
    this.request.on('error', () => {});
  }

  events(): SseEvent[] {
    return this.text
      .split('\n\n')
      .filter((block) => block.trim() !== '' && !block.startsWith(':'))
      .map((block) => {
        const event: SseEvent = {};
        for (const line of block.split('\n')) {
          const colon = line.indexOf(': ');
          if (colon > 0) event[line.slice(0, colon) as keyof SseEvent] = line.slice(colon + 2);
        }
        return event;
      });
  }

  waitFor(check: (events: SseEvent[]) => boolean): Promise<SseEvent[]> {
    return eventually(() => this.events(), check);
  }
}

describe('a connected receiver when the bus Redis restarts empty', () => {
  it('WebSocket: one restarted gap, then every new message once, in order, and a cursor that resumes', async () => {
    const { server, alice } = await labOnRedis();
    await publishAll(server, alice, OLD);
    const socket = await TestSocket.open(server, alice);
    socket.send({ op: 'subscribe', topics: [room], backlog: OLD.length });
    await socket.next((f) => f.op === 'subscribed');
    for (const body of OLD) expect(await socket.next((f) => f.op === 'message')).toMatchObject({ body });

    await restartRedisAndPublishNew(server, alice);
    const last = await socket.next((f) => f.op === 'message' && f.body === NEW[NEW.length - 1], 10_000);
    const frames = socket.frames.splice(0);
    frames.push(last);
    expect(frames.map((f) => (f.op === 'message' ? f.body : f))).toEqual([{ op: 'gap', ...restarted }, ...NEW]);
    expect(last).toMatchObject({ seq: NEW.length });
    await expectCursorResumes(server, alice, (last as { cursor: string }).cursor);
    // Live too: the next message arrives once, and nothing else came meanwhile.
    expect(await socket.next((f) => f.op === 'message')).toMatchObject({ body: 'after', seq: NEW.length + 1 });
    expect(socket.frames).toEqual([]);
    socket.ws.close();
  });

  it('WebSocket on a node that publishes nothing itself: it learns the new epoch as it reconnects, and loses nothing another node publishes', async () => {
    const { server, alice } = await labOnRedis();
    const other = await connectBus(new RedisAdapter({ url: redis.url, commandTimeoutMs: 300 }));
    buses.push(other);
    for (const body of OLD) await other.publish({ topic: room, from: 'bob', body });
    const socket = await TestSocket.open(server, alice);
    socket.send({ op: 'subscribe', topics: [room], backlog: OLD.length });
    await socket.next((f) => f.op === 'subscribed');
    for (const body of OLD) expect(await socket.next((f) => f.op === 'message')).toMatchObject({ body });

    redis.kill();
    await redis.restart();
    // Only the other node publishes: this one hears of the restart from its own reconnect.
    const first = await eventually(
      () => other.publish({ topic: room, from: 'bob', body: NEW[0]!, id: 'first-new' }).catch(() => undefined),
      (outcome) => outcome !== undefined,
      10_000,
    );
    expect(first?.message.seq).toBe(1);
    for (const body of NEW.slice(1)) await other.publish({ topic: room, from: 'bob', body });
    const last = await socket.next((f) => f.op === 'message' && f.body === NEW[NEW.length - 1], 10_000);
    const frames = socket.frames.splice(0);
    frames.push(last);
    expect(frames.map((f) => (f.op === 'message' ? f.body : f))).toEqual([{ op: 'gap', ...restarted }, ...NEW]);
    await expectCursorResumes(server, alice, (last as { cursor: string }).cursor);
    expect(await socket.next((f) => f.op === 'message')).toMatchObject({ body: 'after' });
    expect(socket.frames).toEqual([]);
    socket.ws.close();
  });

  it('SSE: one restarted gap event, then every new message once, in order, with ids that resume', async () => {
    const { server, alice } = await labOnRedis();
    await publishAll(server, alice, OLD);
    const stream = new EventStream(server, alice, `topics=${room}&backlog=${OLD.length}`);
    await stream.waitFor((events) => events.filter((e) => e.event === 'message').length === OLD.length);
    const before = stream.events().length;

    await restartRedisAndPublishNew(server, alice);
    const events = (await stream.waitFor((all) => all.some((e) => e.event === 'message' && JSON.parse(e.data ?? '{}').body === NEW[NEW.length - 1])))
      .slice(before);
    expect(events.map((e) => (e.event === 'message' ? JSON.parse(e.data ?? '').body : { [e.event ?? '']: JSON.parse(e.data ?? '') })))
      .toEqual([{ gap: restarted }, ...NEW]);
    const lastId = events[events.length - 1]?.id ?? '';
    await expectCursorResumes(server, alice, lastId);
    const live = await stream.waitFor((all) => all.length === before + events.length + 1);
    expect(live.slice(before + events.length).map((e) => [e.event, JSON.parse(e.data ?? '').body])).toEqual([['message', 'after']]);
    stream.request.destroy();
  });

  it('a held long poll: answered with one restarted gap and a cursor of the new epoch, from which every new message comes once', async () => {
    const { server, alice } = await labOnRedis();
    await publishAll(server, alice, OLD);
    const start = (await getJson(server, `/api/poll?topics=${room}&backlog=${OLD.length}`, alice.auth)).json as unknown as PollBody;
    expect(start.messages.map((m) => m.body)).toEqual(OLD);
    // Held far longer than the test waits for its answer: the restart answers it, not its wait running out.
    const held = fetch(`${server.url}/api/longpoll?topics=${room}&wait=25&cursor=${encodeURIComponent(start.cursor)}`, {
      headers: alice.auth,
      signal: AbortSignal.timeout(20_000),
    });
    await eventually(() => server.stats().transports.longpoll.heldRequests, (n) => n === 1);

    await restartRedisAndPublishNew(server, alice);
    const answered = (await (await held).json()) as PollBody;
    expect(answered.gaps).toEqual([restarted]);
    const gaps = [...answered.gaps];
    const bodies = answered.messages.map((m) => m.body);
    let cursor = answered.cursor;
    while (bodies.length < NEW.length) {
      const next = (await getJson(server, `/api/longpoll?topics=${room}&wait=5&cursor=${encodeURIComponent(cursor)}`, alice.auth)).json as unknown as PollBody;
      expect(next.messages.length + next.gaps.length).toBeGreaterThan(0);
      gaps.push(...next.gaps);
      bodies.push(...next.messages.map((m) => m.body));
      cursor = next.cursor;
    }
    expect(gaps).toEqual([restarted]);
    expect(bodies).toEqual(NEW);
    await expectCursorResumes(server, alice, cursor);
  });
});
