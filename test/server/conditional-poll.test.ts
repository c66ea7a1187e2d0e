import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabServer } from '../../src/server/create.ts';
import type { PollResponse } from '../../src/protocol/index.ts';
import { closeAll, createSession, publish, startServer, type TestSession } from './helpers.ts';

afterEach(closeAll);

/** One poll with fetch: status, ETag, Cache-Control and the parsed body (undefined when there is none). */
async function poll(server: LabServer, session: TestSession, query: string, ifNoneMatch?: string) {
  const headers: Record<string, string> = { ...session.auth };
  if (ifNoneMatch !== undefined) headers['if-none-match'] = ifNoneMatch;
  const res = await fetch(`${server.url}/api/poll?${query}`, { headers });
  const text = await res.text();
  return {
    status: res.status,
    etag: res.headers.get('etag'),
    cacheControl: res.headers.get('cache-control'),
    text,
    body: text === '' ? undefined : (JSON.parse(text) as PollResponse & { error?: { code: string } }),
  };
}

/** Sends raw bytes on a fresh socket and collects everything until the server closes it. */
async function rawExchange(server: LabServer, request: string): Promise<Buffer> {
  const { port } = new URL(server.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.write(request);
  await new Promise((resolve) => socket.once('close', resolve));
  return Buffer.concat(chunks);
}

const quoted = (cursor: string): string => `"${cursor}"`;

describe('conditional short polling (ETag / If-None-Match / 304)', () => {
  it('answers 304 with no body when nothing is new; a conditional poll\'s answers carry the cursor as ETag with no-cache, a plain poll\'s neither', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const first = await poll(server, alice, 'topics=room:quiet');
    expect(first.status).toBe(200);
    // A plain poll pays for no validator it would never send back.
    expect(first.etag).toBeNull();
    expect(first.cacheControl).toBe('no-store');

    const again = await poll(server, alice, 'topics=room:quiet', quoted(first.body!.cursor));
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.etag).toBe(quoted(first.body!.cursor));
    expect(again.cacheControl).toBe('no-cache');
    // A weak tag compares the same (If-None-Match uses the weak comparison).
    expect((await poll(server, alice, 'topics=room:quiet', `W/${quoted(first.body!.cursor)}`)).status).toBe(304);
  });

  it('with --gzip, names both encodings with one weak tag, and the 304 says Vary: Accept-Encoding as the 200 does', async () => {
    const server = await startServer({ httpCompression: 'gzip' });
    const alice = await createSession(server, 'alice');
    const gzipPoll = async (ifNoneMatch?: string) => {
      const headers: Record<string, string> = { ...alice.auth, 'accept-encoding': 'gzip' };
      if (ifNoneMatch !== undefined) headers['if-none-match'] = ifNoneMatch;
      const res = await fetch(`${server.url}/api/poll?topics=room:zipped`, { headers });
      const text = await res.text();
      return { status: res.status, etag: res.headers.get('etag'), vary: res.headers.get('vary'), text };
    };
    const plain = await poll(server, alice, 'topics=room:zipped');
    const cursor = plain.body!.cursor;
    const answer = await gzipPoll(quoted(cursor));
    expect(answer.status).toBe(304);
    expect(answer.etag).toBe(`W/${quoted(cursor)}`);
    expect(answer.vary).toBe('Accept-Encoding');
    // The weak tag sent back compares equal (If-None-Match compares weakly).
    expect((await gzipPoll(answer.etag!)).status).toBe(304);
    await publish(server, alice, { topic: 'room:zipped', body: 'fresh' });
    const fresh = await gzipPoll(answer.etag!);
    expect(fresh.status).toBe(200);
    expect(fresh.etag).toMatch(/^W\/"/);
    expect(fresh.vary).toBe('Accept-Encoding');
  });

  it('answers 200 with the message after a publish, and its ETag is the new cursor', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const first = await poll(server, alice, 'topics=room:news');
    await publish(server, alice, { topic: 'room:news', body: 'fresh' });
    const next = await poll(server, alice, 'topics=room:news', quoted(first.body!.cursor));
    expect(next.status).toBe(200);
    expect(next.body!.messages.map((m) => m.body)).toEqual(['fresh']);
    expect(next.body!.cursor).not.toBe(first.body!.cursor);
    expect(next.etag).toBe(quoted(next.body!.cursor));
    // And from the new cursor, nothing new again.
    expect((await poll(server, alice, 'topics=room:news', next.etag!)).status).toBe(304);
  });

  it('never hides a gap behind a 304: a cursor whose history is gone gets a 200 with the gap', async () => {
    const server = await startServer({ historyPerTopic: 2 });
    const alice = await createSession(server, 'alice');
    const first = await poll(server, alice, 'topics=room:busy');
    for (let i = 1; i <= 5; i++) await publish(server, alice, { topic: 'room:busy', body: `m${i}` });
    const next = await poll(server, alice, 'topics=room:busy&limit=1', quoted(first.body!.cursor));
    expect(next.status).toBe(200);
    expect(next.body!.gaps).toMatchObject([{ topic: 'room:busy', from: 1, to: 3 }]);

    // A gap with no message at all (a cursor ahead of the topic) is a 200 too, even when its tag is the one sent.
    const ahead = `${first.body!.cursor}`.replace(/room:busy=\d+/, 'room:busy=50');
    const gapOnly = await poll(server, alice, 'topics=room:busy', quoted(ahead));
    expect(gapOnly.status).toBe(200);
    expect(gapOnly.body!.messages).toEqual([]);
    expect(gapOnly.body!.gaps.length).toBeGreaterThan(0);
  });

  it('reads the cursor from If-None-Match when the query has none, and from the query when both are given', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const before = await poll(server, alice, 'topics=room:both');
    await publish(server, alice, { topic: 'room:both', body: 'one' });
    const after = await poll(server, alice, `topics=room:both&cursor=${encodeURIComponent(before.body!.cursor)}`);
    expect(after.body!.messages.map((m) => m.body)).toEqual(['one']);

    // The header alone is the cursor: the message after it comes back.
    const byHeader = await poll(server, alice, 'topics=room:both', quoted(before.body!.cursor));
    expect(byHeader.status).toBe(200);
    expect(byHeader.body!.messages.map((m) => m.body)).toEqual(['one']);

    // Both, and they differ: the query's cursor is read; the header is only the validator.
    const byQuery = await poll(server, alice, `topics=room:both&cursor=${encodeURIComponent(before.body!.cursor)}`, quoted(after.body!.cursor));
    expect(byQuery.status).toBe(200);
    expect(byQuery.body!.messages.map((m) => m.body)).toEqual(['one']);
    const current = await poll(server, alice, `topics=room:both&cursor=${encodeURIComponent(after.body!.cursor)}`, quoted(before.body!.cursor));
    expect(current.status).toBe(200);
    expect(current.body!.messages).toEqual([]);
  });

  it('refuses an If-None-Match that is not one entity tag (400), and ignores `*`', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    for (const bad of ['v1~abc', '"a", "b"', '"not a cursor"']) {
      const answer = await poll(server, alice, 'topics=room:x', bad);
      expect(answer.status, bad).toBe(400);
      expect(answer.body!.error!.code).toBe('bad_request');
    }
    expect((await poll(server, alice, 'topics=room:x', '*')).status).toBe(200);
  });

  it('counts a 304 byte for byte (all headers, no body) and as an empty answer', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const first = await poll(server, alice, 'topics=room:meter');
    const request = `GET /api/poll?topics=room:meter HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${alice.token}\r\n` +
      `If-None-Match: ${quoted(first.body!.cursor)}\r\nConnection: close\r\n\r\n`;
    const before = server.stats().transports.poll;
    const response = await rawExchange(server, request);
    const after = server.stats().transports.poll;
    const text = response.toString('latin1');
    expect(text).toMatch(/^HTTP\/1\.1 304 Not Modified\r\n/);
    expect(text.endsWith('\r\n\r\n')).toBe(true);
    expect(text).not.toMatch(/content-length|transfer-encoding/i);
    expect(after.requests - before.requests).toBe(1);
    expect(after.emptyResponses - before.emptyResponses).toBe(1);
    expect(after.bytesIn.headers - before.bytesIn.headers).toBe(Buffer.byteLength(request));
    expect(after.bytesOut.headers - before.bytesOut.headers).toBe(response.length);
    expect(after.bytesOut.bodies - before.bytesOut.bodies).toBe(0);
    expect(after.bytesOut.framing - before.bytesOut.framing).toBe(0);
  });
});
