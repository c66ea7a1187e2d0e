import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../../src/bus/index.ts';
import { closeAll, createSession, getJson, publish, startServer } from './helpers.ts';

afterEach(closeAll);

interface PollBody {
  messages: Array<{ seq: number; body: string; topic: string }>;
  gaps: Array<{ topic: string; from: number; to: number; reason?: string }>;
  cursor: string;
  more: boolean;
}

describe('receiving: GET /api/poll, cursors and gaps', () => {
  it('answers at once, empty, with a cursor that later resumes with nothing lost and nothing twice', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const first = (await getJson(server, '/api/poll?topics=room:lobby', alice.auth)).json as unknown as PollBody;
    expect(first).toMatchObject({ messages: [], gaps: [], more: false });
    for (const body of ['a', 'b', 'c']) await publish(server, alice, { topic: 'room:lobby', body });
    const second = (await getJson(server, `/api/poll?topics=room:lobby&cursor=${encodeURIComponent(first.cursor)}`, alice.auth))
      .json as unknown as PollBody;
    expect(second.messages.map((m) => m.body)).toEqual(['a', 'b', 'c']);
    const third = (await getJson(server, `/api/poll?topics=room:lobby&cursor=${encodeURIComponent(second.cursor)}`, alice.auth))
      .json as unknown as PollBody;
    expect(third.messages).toEqual([]);
    expect(server.stats().transports.poll.emptyResponses).toBe(2);
  });

  it('replays backlog, and pages with limit and more', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    for (let i = 1; i <= 5; i++) await publish(server, alice, { topic: 'room:lobby', body: `m${i}` });
    const page = (await getJson(server, '/api/poll?topics=room:lobby&backlog=4&limit=3', alice.auth)).json as unknown as PollBody;
    expect(page.messages.map((m) => m.seq)).toEqual([2, 3, 4]);
    expect(page.more).toBe(true);
    const rest = (await getJson(server, `/api/poll?topics=room:lobby&limit=3&cursor=${encodeURIComponent(page.cursor)}`, alice.auth))
      .json as unknown as PollBody;
    expect(rest.messages.map((m) => m.seq)).toEqual([5]);
    expect(rest.more).toBe(false);
  });

  it('refuses to read another user\'s inbox with 403 forbidden', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    await createSession(server, 'bob');
    for (const path of ['/api/poll', '/api/longpoll', '/api/events']) {
      const res = await getJson(server, `${path}?topics=room:lobby,user:bob`, alice.auth);
      expect(res).toMatchObject({ status: 403, json: { error: { code: 'forbidden' } } });
    }
  });

  it.each([
    ['no topics', ''],
    ['a bad topic', 'topics=room:a%00b'],
    ['too many topics', `topics=${Array.from({ length: 33 }, (_, i) => `room:r${i}`).join(',')}`],
    ['a bad limit', 'topics=room:lobby&limit=-1'],
    ['a bad backlog', 'topics=room:lobby&backlog=x'],
    ['an undecodable cursor', 'topics=room:lobby&cursor=%%%not-a-cursor'],
    ['a cursor over 4 KiB', `topics=room:lobby&cursor=${'x'.repeat(4097)}`],
  ])('answers %s with 400 bad_request', async (_what, query) => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const res = await getJson(server, `/api/poll?${query}`, alice.auth);
    expect(res).toMatchObject({ status: 400, json: { error: { code: 'bad_request' } } });
  });

  it.each(['/api/longpoll', '/api/events'])('answers an undecodable cursor on %s with 400 bad_request', async (path) => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const res = await getJson(server, `${path}?topics=room:lobby&cursor=not-ours`, alice.auth);
    expect(res).toMatchObject({ status: 400, json: { error: { code: 'bad_request' } } });
    expect(server.stats().transports.longpoll.heldRequests + server.stats().transports.sse.heldRequests).toBe(0);
  });

  it('answers an event stream over maxHeldRequests with 503 too_many_connections', async () => {
    const server = await startServer({ maxHeldRequests: 1 });
    const alice = await createSession(server, 'alice');
    const controller = new AbortController();
    const first = await fetch(`${server.url}/api/events?topics=room:lobby`, { headers: alice.auth, signal: controller.signal });
    expect(first.status).toBe(200);
    const second = await getJson(server, '/api/events?topics=room:lobby', alice.auth);
    expect(second).toMatchObject({ status: 503, json: { error: { code: 'too_many_connections' } } });
    controller.abort();
  });

  it('answers a cursor from another epoch with a restarted gap, then delivers the new history', async () => {
    const oldServer = await startServer();
    const alice = await createSession(oldServer, 'alice');
    await publish(oldServer, alice, { topic: 'room:lobby', body: 'old' });
    const { cursor } = (await getJson(oldServer, '/api/poll?topics=room:lobby&backlog=10', alice.auth)).json as unknown as PollBody;

    const server = await startServer();
    const again = await createSession(server, 'alice');
    await publish(server, again, { topic: 'room:lobby', body: 'new' });
    const res = (await getJson(server, `/api/poll?topics=room:lobby&cursor=${encodeURIComponent(cursor)}`, again.auth))
      .json as unknown as PollBody;
    expect(res.gaps).toEqual([expect.objectContaining({ topic: 'room:lobby', reason: 'restarted' })]);
    expect(res.messages.map((m) => m.body)).toEqual(['new']);
  });

  it('answers a too-old cursor with a trimmed gap of the exact missing range', async () => {
    const server = await startServer({ bus: createMemoryBus({ historyPerTopic: 3 }) });
    const alice = await createSession(server, 'alice');
    const { cursor } = (await getJson(server, '/api/poll?topics=room:lobby', alice.auth)).json as unknown as PollBody;
    for (let i = 1; i <= 6; i++) await publish(server, alice, { topic: 'room:lobby', body: `m${i}` });
    const res = (await getJson(server, `/api/poll?topics=room:lobby&cursor=${encodeURIComponent(cursor)}`, alice.auth))
      .json as unknown as PollBody;
    expect(res.gaps).toEqual([{ topic: 'room:lobby', from: 1, to: 3, reason: 'trimmed' }]);
    expect(res.messages.map((m) => m.seq)).toEqual([4, 5, 6]);
    await server.bus.close();
  });

  it('answers a cursor claiming seqs the topic never had with an unknown gap', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    await publish(server, alice, { topic: 'room:lobby', body: 'one' });
    const bogus = server.bus.encodeCursor({ 'room:lobby': 50 });
    const res = (await getJson(server, `/api/poll?topics=room:lobby&cursor=${encodeURIComponent(bogus)}`, alice.auth))
      .json as unknown as PollBody;
    expect(res.gaps).toEqual([expect.objectContaining({ topic: 'room:lobby', from: 2, to: 50, reason: 'unknown' })]);
    await publish(server, alice, { topic: 'room:lobby', body: 'two' });
    const next = (await getJson(server, `/api/poll?topics=room:lobby&cursor=${encodeURIComponent(res.cursor)}`, alice.auth))
      .json as unknown as PollBody;
    expect(next.messages.map((m) => m.body)).toEqual(['two']);
  });
});
