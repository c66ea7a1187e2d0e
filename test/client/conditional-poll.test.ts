import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.ts';
import type { Client } from '../../src/client/index.ts';
import type { LabServer } from '../../src/server/create.ts';
import { startServer } from '../behaviour/harness.ts';
import { eventually } from '../wait.ts';

/** Every receive poll a client made through the real fetch: what it sent, and the status it got. */
interface Seen {
  cursorInQuery: boolean;
  ifNoneMatch: string | null;
  cache: RequestCache | undefined;
  status: number;
}

function recordingFetch(seen: Seen[]): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(String(input));
    if (url.pathname === '/api/poll') {
      seen.push({
        cursorInQuery: url.searchParams.has('cursor'),
        ifNoneMatch: new Headers(init?.headers).get('if-none-match'),
        cache: init?.cache,
        status: response.status,
      });
    }
    return response;
  };
}

describe('the conditional short-poll client (conditional: true)', () => {
  const clients: Client[] = [];
  let server: LabServer | undefined;
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server?.close();
  });

  it('sends the cursor as If-None-Match with no-store, takes 304 as nothing new, and gets the message after a publish', async () => {
    server = await startServer();
    const seen: Seen[] = [];
    const reader = createClient('poll', {
      baseUrl: server.url, name: 'reader', pollIntervalMs: 20, conditional: true, fetch: recordingFetch(seen),
    });
    const writer = createClient('poll', { baseUrl: server.url, name: 'writer' });
    clients.push(reader, writer);
    const bodies: string[] = [];
    reader.on('message', (message) => bodies.push(message.body));
    await reader.subscribe(['room:etag']);
    await eventually(() => seen.filter((s) => s.status === 304).length >= 2, 'two 304 answers');
    await writer.publish('room:etag', 'after the 304s');
    await eventually(() => bodies.length >= 1, 'the message');
    const afterMessage = seen.length;
    await eventually(() => seen.slice(afterMessage).some((s) => s.status === 304), 'a 304 from the new cursor');
    expect(seen.at(-1)?.ifNoneMatch).toBe(`"${reader.cursor}"`);

    expect(bodies).toEqual(['after the 304s']);
    expect(reader.state).toBe('connected');
    // The first poll has no cursor yet; every later one carries it only as the header.
    const later = seen.slice(1);
    expect(later.every((s) => !s.cursorInQuery)).toBe(true);
    expect(later.every((s) => s.ifNoneMatch?.startsWith('"v1~') && s.ifNoneMatch.endsWith('"') && s.cache === 'no-store')).toBe(true);
    expect(seen.every((s) => s.status === 200 || s.status === 304)).toBe(true);
    expect(server.stats().transports.poll.emptyResponses).toBeGreaterThanOrEqual(seen.filter((s) => s.status === 304).length);
  });

  it('without the option sends the cursor in the query and never gets a 304', async () => {
    server = await startServer();
    const seen: Seen[] = [];
    const reader = createClient('poll', { baseUrl: server.url, name: 'plain', pollIntervalMs: 20, fetch: recordingFetch(seen) });
    clients.push(reader);
    await reader.subscribe(['room:plain']);
    await eventually(() => seen.length >= 3, 'three polls');
    expect(seen.slice(1).every((s) => s.cursorInQuery && s.ifNoneMatch === null && s.status === 200)).toBe(true);
  });
});
