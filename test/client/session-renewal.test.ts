import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.ts';
import type { Client, ClientState } from '../../src/client/index.ts';

/**
 * After a server restart the client makes itself a new session. Over a
 * stalling link that request can time out after the server made the session;
 * the name is then held by a session whose token never arrived, until the
 * server lets it go (sessionIdleMs). Found by the faults scenario: the client
 * closed itself for good and its reader lost every later message.
 */
function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('session renewal over a bad link', () => {
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  it('a renewal with no answer, then name_taken by its own orphan, is retried until the name is free', async () => {
    let sessions = 0;
    let restarted = false;
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const url = new URL(String(input));
      if (url.pathname === '/api/session') {
        sessions += 1;
        if (sessions === 1) return json(201, { name: 'alice', token: 'old' });
        // The renewal reaches the server, whose answer never comes back (a stall past the timeout).
        if (sessions === 2) return new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
        // The orphan holds the name for a while.
        if (sessions <= 4) return json(409, { error: { code: 'name_taken', message: 'alice is online' } });
        return json(201, { name: 'alice', token: 'new' });
      }
      const token = new Headers(init?.headers).get('authorization');
      if (restarted && token !== 'Bearer new') return json(401, { error: { code: 'unauthorized', message: 'unknown session' } });
      return json(200, { messages: [], gaps: [], cursor: restarted ? 'c2' : 'c1', more: false });
    };
    const client = createClient('poll', {
      baseUrl: 'http://lab.test', name: 'alice', fetch, pollIntervalMs: 5, requestTimeoutMs: 50, backoff: { minMs: 1, maxMs: 20 },
    });
    clients.push(client);
    const states: ClientState[] = [];
    client.on('state', (state) => states.push(state));
    await client.subscribe(['room:a']);
    restarted = true;
    await expect.poll(() => client.cursor, { timeout: 10_000 }).toBe('c2');
    expect(sessions).toBe(5);
    expect(client.state).toBe('connected');
    expect(states).not.toContain('closed');
  });

  it('a renewal refused outright (a name someone else holds, no lost attempt of ours) still ends the client', async () => {
    let sessions = 0;
    let restarted = false;
    const fetch: typeof globalThis.fetch = async (input) => {
      const url = new URL(String(input));
      if (url.pathname === '/api/session') {
        sessions += 1;
        return sessions === 1 ? json(201, { name: 'alice', token: 'old' }) : json(409, { error: { code: 'name_taken', message: 'alice is online' } });
      }
      if (restarted) return json(401, { error: { code: 'unauthorized', message: 'unknown session' } });
      return json(200, { messages: [], gaps: [], cursor: 'c1', more: false });
    };
    const client = createClient('poll', { baseUrl: 'http://lab.test', name: 'alice', fetch, pollIntervalMs: 5, backoff: { minMs: 1, maxMs: 20 } });
    clients.push(client);
    const errors: string[] = [];
    client.on('error', (error) => errors.push(error.code));
    await client.subscribe(['room:a']);
    restarted = true;
    await expect.poll(() => client.state).toBe('closed');
    expect(sessions).toBe(2);
    expect(errors).toEqual(['unauthorized']);
  });
});
