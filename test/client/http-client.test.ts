import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.ts';
import type { Client } from '../../src/client/index.ts';
import type { LabError, PollResponse } from '../../src/protocol/index.ts';

/** A scripted server behind a fake fetch: what the client asks, and what it is told. */
interface Call {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: unknown;
}

function scriptedFetch(answer: (call: Call, index: number) => Response): { fetch: typeof globalThis.fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const call: Call = {
      method: init?.method ?? 'GET',
      url: new URL(String(input)),
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    return answer(call, calls.length - 1);
  };
  return { fetch, calls };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function batch(partial: Partial<PollResponse> & { cursor: string }): PollResponse {
  return { messages: [], gaps: [], more: false, ...partial };
}

const message = (seq: number) => ({ topic: 'room:a', seq, id: `i${seq}`, from: 'bob', body: `m${seq}`, ts: 1 });

describe('the HTTP clients against a scripted server', () => {
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  it('creates a session, then sends its token, extra headers and via on every request', async () => {
    const { fetch, calls } = scriptedFetch((call) => {
      if (call.url.pathname === '/api/session') return json(201, { name: 'alice', token: 'tok' });
      if (call.url.pathname === '/api/messages') return json(201, { topic: 'room:a', seq: 1, id: 'x', ts: 1 });
      return json(200, batch({ cursor: 'c1' }));
    });
    const client = createClient('poll', { baseUrl: 'http://lab.test', name: 'alice', fetch, headers: { 'x-profile': 'minimal' }, pollIntervalMs: 5 });
    clients.push(client);
    await client.connect();
    await client.subscribe(['room:a']);
    const result = await client.publish('room:a', 'hi', 'x');
    expect(result.seq).toBe(1);
    expect(calls[0]).toMatchObject({ method: 'POST', body: { name: 'alice' } });
    expect(calls[0].headers['x-profile']).toBe('minimal');
    const poll = calls.find((call) => call.url.pathname === '/api/poll');
    expect(poll?.headers.authorization).toBe('Bearer tok');
    expect(poll?.url.searchParams.get('topics')).toBe('room:a');
    const publish = calls.find((call) => call.url.pathname === '/api/messages');
    expect(publish?.url.searchParams.get('via')).toBe('poll');
    expect(publish?.body).toEqual({ topic: 'room:a', body: 'hi', id: 'x' });
    expect(client.cursor).toBe('c1');
  });

  it('echoes the newest cursor, and delivers each seq once across overlapping answers', async () => {
    const answers = [
      batch({ cursor: 'c0' }),
      batch({ cursor: 'c2', messages: [message(1), message(2)] }),
      batch({ cursor: 'c3', messages: [message(2), message(3)] }),
    ];
    const { fetch, calls } = scriptedFetch((call) => {
      if (call.url.pathname === '/api/session') return json(201, { name: 'alice', token: 'tok' });
      return json(200, answers.shift() ?? batch({ cursor: 'c3' }));
    });
    const client = createClient('longpoll', { baseUrl: 'http://lab.test', fetch, longPollWaitSeconds: 1 });
    clients.push(client);
    const seqs: number[] = [];
    client.on('message', (m) => seqs.push(m.seq));
    await client.subscribe(['room:a']);
    await expect.poll(() => seqs.length).toBe(3);
    expect(seqs).toEqual([1, 2, 3]);
    const polls = calls.filter((call) => call.url.pathname === '/api/longpoll');
    expect(polls[0].url.searchParams.get('wait')).toBe('0');
    expect(polls[1].url.searchParams.get('wait')).toBe('1');
    expect(polls.slice(1, 3).map((call) => call.url.searchParams.get('cursor'))).toEqual(['c0', 'c2']);
  });

  it('turns a refused receive into an error event, waits its Retry-After, and goes on', async () => {
    let refusedAt = 0;
    let retriedAt = 0;
    const { fetch } = scriptedFetch((call, index) => {
      if (call.url.pathname === '/api/session') return json(201, { name: 'alice', token: 'tok' });
      if (index === 2) {
        refusedAt = Date.now();
        return json(503, { error: { code: 'too_many_connections', message: 'full' } }, { 'retry-after': '0.3' });
      }
      if (index === 3) retriedAt = Date.now();
      return json(200, batch({ cursor: `c${index}` }));
    });
    const client = createClient('poll', { baseUrl: 'http://lab.test', fetch, pollIntervalMs: 5, backoff: { minMs: 1, maxMs: 2 } });
    clients.push(client);
    const errors: LabError[] = [];
    const states: string[] = [];
    client.on('error', (error) => errors.push(error));
    client.on('state', (state) => states.push(state));
    await client.subscribe(['room:a']);
    await expect.poll(() => retriedAt).toBeGreaterThan(0);
    expect(errors.map((error) => [error.code, error.retryAfter])).toEqual([['too_many_connections', 0.3]]);
    expect(retriedAt - refusedAt).toBeGreaterThanOrEqual(290);
    await expect.poll(() => client.state).toBe('connected');
    expect(states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  });

  it('rejects a subscribe the server refuses for good, keeping the code', async () => {
    const { fetch } = scriptedFetch((call) => {
      if (call.url.pathname === '/api/session') return json(201, { name: 'alice', token: 'tok' });
      return json(403, { error: { code: 'forbidden', message: 'not yours' } });
    });
    const client = createClient('poll', { baseUrl: 'http://lab.test', fetch });
    clients.push(client);
    await expect(client.subscribe(['user:bob'])).rejects.toMatchObject({ code: 'forbidden', message: 'not yours' });
    expect(client.state).toBe('connected');
  });

  it('makes a new session when a restarted server no longer knows its token', async () => {
    let sessions = 0;
    const { fetch, calls } = scriptedFetch((call) => {
      if (call.url.pathname === '/api/session') {
        sessions += 1;
        return json(201, { name: 'alice', token: `tok${sessions}` });
      }
      if (call.headers.authorization === 'Bearer tok1') return json(401, { error: { code: 'unauthorized', message: 'who?' } });
      return json(201, { topic: 'room:a', seq: 7, id: 'x', ts: 1 });
    });
    const client = createClient('sse', { baseUrl: 'http://lab.test', name: 'alice', fetch });
    clients.push(client);
    await expect(client.publish('room:a', 'hi')).resolves.toMatchObject({ seq: 7 });
    expect(sessions).toBe(2);
    expect(calls.filter((call) => call.url.pathname === '/api/messages').map((call) => call.headers.authorization))
      .toEqual(['Bearer tok1', 'Bearer tok2']);
  });

  it('retries a publish after a network fault with the same id', async () => {
    let failures = 1;
    const { fetch, calls } = scriptedFetch((call) => {
      if (call.url.pathname === '/api/session') return json(201, { name: 'alice', token: 'tok' });
      if (failures > 0) {
        failures -= 1;
        throw new TypeError('fetch failed');
      }
      return json(201, { topic: 'room:a', seq: 1, id: (call.body as { id: string }).id, ts: 1 });
    });
    const client = createClient('longpoll', { baseUrl: 'http://lab.test', fetch, backoff: { minMs: 1, maxMs: 5 } });
    clients.push(client);
    await client.publish('room:a', 'hi');
    const ids = calls.filter((call) => call.url.pathname === '/api/messages').map((call) => (call.body as { id: string }).id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
  });
});
