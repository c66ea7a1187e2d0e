/**
 * Issue 13 item 3: the 2009 replay sends the Quantum Leap article's request
 * head byte for byte — captured on the socket and compared line by line — and
 * our server answers it with the article's 179 header characters, so one poll
 * holds the 871 the article counted.
 */
import net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { REPLAY_PATH, REPLAY_TOPIC, replayCookie, replayH2Headers, replayRequestHead } from '../../bench/headers/replay-2009.ts';
import {
  ARTICLE_HEADER_BYTES, ARTICLE_REQUEST_HEADERS, ARTICLE_REQUEST_LINE, ARTICLE_RESPONSE_HEADERS, ARTICLE_STATUS_LINE,
  articleLines, wireBytesOfBlock,
} from '../../bench/headers/websocket-org-2009.ts';
import { RawConnection } from '../../bench/sim/raw-http.ts';
import { WireMeter } from '../../bench/sim/meter.ts';
import { Replay2009PollClient } from '../../bench/sim/replay-poll.ts';
import { countWindow, expectClientEqualsServer, recordingSink, simOptions } from '../bench/sim-window.ts';
import { closeAll, createSession, startServer } from '../server/helpers.ts';

afterAll(closeAll);

/** A server that keeps every byte it receives and answers each head with a fixed response. */
async function captureServer(): Promise<{ url: URL; received: () => Buffer; close: () => Promise<void> }> {
  const chunks: Buffer[] = [];
  const server = net.createServer((socket) => {
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (Buffer.concat(chunks).includes('\r\n\r\n')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}`),
    received: () => Buffer.concat(chunks),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const TOKEN = 'eyJuIjoiaWRsZS5wb2xsLnMxIiwicyI6IjEyMzQ1Njc4OTAifQ.' + 'A'.repeat(43);

describe('the 2009 replay, byte for byte', () => {
  it('puts on the socket exactly the article\'s request head: every line, in order, of the same length', async () => {
    const capture = await captureServer();
    const meter = new WireMeter();
    const connection = new RawConnection(capture.url, meter);
    try {
      await connection.exchange(replayRequestHead(TOKEN), 5000);
    } finally {
      connection.close();
      await capture.close();
    }
    const onTheWire = capture.received().toString('latin1');
    const article = articleLines(ARTICLE_REQUEST_LINE, ARTICLE_REQUEST_HEADERS);
    expect(onTheWire.endsWith('\r\n\r\n')).toBe(true);
    const sent = onTheWire.slice(0, -4).split('\r\n');
    expect(sent).toHaveLength(article.length);
    expect(Buffer.byteLength(onTheWire, 'latin1')).toBe(wireBytesOfBlock(article));
    expect(Buffer.byteLength(onTheWire, 'latin1')).toBe(716);
    for (const [i, line] of sent.entries()) {
      expect(line.length, line).toBe(article[i].length);
      if (line.startsWith('GET ')) expect(line).toBe(`GET ${REPLAY_PATH} HTTP/1.1`);
      else if (line.startsWith('Cookie: ')) expect(line).toBe(`Cookie: ${replayCookie(TOKEN)}`);
      else expect(line).toBe(article[i]);
    }
    // Nothing added: no authorization line, Host as the article's, Connection before Referer.
    expect(onTheWire).not.toMatch(/authorization/i);
    expect(sent.indexOf('Connection: keep-alive')).toBeLessThan(sent.findIndex((line) => line.startsWith('Referer:')));
    expect(replayCookie(TOKEN)).toMatch(new RegExp(`^lab_session=${TOKEN}; `));
    // What the meter counted is what went out.
    expect(meter.read().up.headers).toBe(716);
    // 12 line ends going up (11 lines and the blank one), 3 in the capture server's answer.
    expect(meter.read().headerLineEnds).toBe(2 * 12 + 2 * 3);
  });

  it('our server takes the session from the article\'s Cookie line and answers with the article\'s 179 header characters', async () => {
    const server = await startServer();
    const session = await createSession(server, 'replay2009');
    const meter = new WireMeter();
    const connection = new RawConnection(new URL(server.url), meter);
    try {
      const answer = await connection.exchange(replayRequestHead(session.token), 5000);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ messages: [], gaps: [] });
      // A second poll on the same keep-alive connection.
      await connection.exchange(replayRequestHead(session.token), 5000);
    } finally {
      connection.close();
    }
    const reading = meter.read();
    const articleResponseCharacters = articleLines(ARTICLE_STATUS_LINE, ARTICLE_RESPONSE_HEADERS).join('').length;
    expect(articleResponseCharacters).toBe(179);
    // Two polls: request and response heads, counted as the article counted (no line ends): 871 each.
    expect((reading.up.headers + reading.down.headers - reading.headerLineEnds) / 2).toBe(ARTICLE_HEADER_BYTES);
    expect(reading.up.headers / 2).toBe(716);
  });
});

describe('the 2009 replay under HPACK (--http 2, 2-tls)', () => {
  it('sends the article\'s header set as h2 must: Host as :authority, no Keep-Alive or Connection, the session in the Cookie', () => {
    const headers = replayH2Headers(TOKEN);
    expect(headers[':authority']).toBe('localhost:8080');
    expect(headers[':path']).toBe(REPLAY_PATH);
    expect(headers.cookie).toBe(replayCookie(TOKEN));
    expect(Object.keys(headers).filter((name) => !name.startsWith(':'))).toEqual([
      'user-agent', 'accept', 'accept-language', 'accept-encoding', 'accept-charset', 'referer', 'cookie',
    ]);
    for (const [name, value] of ARTICLE_REQUEST_HEADERS) {
      if (!['Host', 'Keep-Alive', 'Connection', 'Cookie'].includes(name)) expect(headers[name.toLowerCase()]).toBe(value);
    }
  });

  it.each([
    ['cleartext h2', 'h2cUrl'],
    ['h2 over TLS', 'tlsUrl'],
  ] as const)('%s: measured after HPACK, far below 871 B in the steady state, and client = server to the byte', async (_label, which) => {
    const server = await startServer({ h2cPort: 0, tlsPort: 0 });
    const url = server[which];
    if (!url) throw new Error(`no ${which}`);
    const { sink, requests } = recordingSink();
    const client = new Replay2009PollClient(simOptions(server, sink, { name: `replay-h2-${which}`, topics: [REPLAY_TOPIC], h2Url: new URL(url) }));
    try {
      const window = await countWindow(server, client, requests);
      // Nothing published: each replayed poll is answered, empty, by the server (the session came from the Cookie).
      expect(window.requests.every((empty) => empty)).toBe(true);
      expectClientEqualsServer(window);
      const frames = window.after.frames;
      if (!frames) throw new Error('no h2 counters');
      expect(frames.first.requests).toBe(1);
      expect(frames.rest.requests).toBeGreaterThanOrEqual(3 + 2);
      const first = (frames.first.up + frames.first.down) / frames.first.requests;
      const steady = (frames.rest.up + frames.rest.down) / frames.rest.requests;
      // The first request carries the header set literally (Huffman-coded) and fills HPACK's tables...
      expect(first).toBeGreaterThan(300);
      expect(first).toBeLessThan(ARTICLE_HEADER_BYTES);
      // ...the later ones refer to them: a few dozen bytes (the :path is never indexed, the date changes).
      expect(steady).toBeLessThan(ARTICLE_HEADER_BYTES / 8);
      expect(steady).toBeLessThan(first / 4);
    } finally {
      client.close();
    }
  });
});
