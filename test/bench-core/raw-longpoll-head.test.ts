/**
 * The long-poll simulated client writes its receive requests by hand
 * (bench/sim/raw-http.ts) to keep node:http's per-answer cost off the
 * latency of later subscribers. That must not move a byte: its head is the
 * one node:http's keep-alive client writes for the same path and headers,
 * under every header profile.
 */
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HEADER_PROFILE_NAMES, extraHeadersFor } from '../../bench/headers/index.ts';
import { clientAgent } from '../../bench/sim/http.ts';
import { nodeStyleHead, RawConnection } from '../../bench/sim/raw-http.ts';
import { WireMeter } from '../../bench/sim/meter.ts';

/** A server that keeps the first request head it receives and answers it with `answer`. */
async function captureOne(answer: string | Buffer): Promise<{ url: URL; head: Promise<Buffer>; close: () => void }> {
  let resolveHead: (head: Buffer) => void = () => undefined;
  const head = new Promise<Buffer>((resolve) => (resolveHead = resolve));
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let data = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (!data.includes('\r\n\r\n')) return;
      resolveHead(data);
      socket.write(answer);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}`),
    head,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}';
const PATH = '/api/longpoll?topics=room%3Alobby&cursor=eyJ0IjoxfQ&wait=20';

/** The head with its server's port taken out: each capture listens on a port of its own. */
const portless = (head: Buffer, url: URL): string => head.toString('latin1').replace(`Host: ${url.host}\r\n`, 'Host: <server>\r\n');

async function headFromNodeHttp(headers: Record<string, string>): Promise<string> {
  const capture = await captureOne(OK);
  const agent = clientAgent(1);
  try {
    const request = http.request({ agent, host: capture.url.hostname, port: capture.url.port, method: 'GET', path: PATH, headers });
    request.on('response', (response) => response.resume());
    // The capture server is closed under it once the head is in.
    request.on('error', () => undefined);
    request.end();
    return portless(await capture.head, capture.url);
  } finally {
    agent.destroy();
    capture.close();
  }
}

async function headFromRawClient(headers: Record<string, string>): Promise<{ head: string; bytes: number; meter: WireMeter }> {
  const capture = await captureOne(OK);
  const meter = new WireMeter();
  const connection = new RawConnection(capture.url, meter, { countLineEnds: false });
  try {
    const answer = await connection.exchange(nodeStyleHead(capture.url, PATH, headers), 5000);
    expect(answer).toEqual({ status: 200, body: '{}' });
    const head = await capture.head;
    return { head: portless(head, capture.url), bytes: head.length, meter };
  } finally {
    connection.close();
    capture.close();
  }
}

describe('the long-poll client\'s hand-written head', () => {
  for (const profile of HEADER_PROFILE_NAMES) {
    it(`is byte for byte node:http's under the ${profile} profile`, async () => {
      const headers = { ...extraHeadersFor(profile, { origin: 'http://127.0.0.1:8080' }), authorization: 'Bearer abc.def' };
      const fromNode = await headFromNodeHttp(headers);
      const { head, bytes, meter } = await headFromRawClient(headers);
      expect(head).toContain('Host: <server>\r\n');
      expect(head).toBe(fromNode);
      // The meter splits the answer as the node:http path does: head and body known, nothing else.
      const reading = meter.read();
      expect(reading.up.headers).toBe(bytes);
      expect(reading.down).toEqual({ headers: OK.length - 2, framing: 0, bodies: 2 });
      expect(reading.headerLineEnds).toBe(0);
    });
  }

  it('decodes a gzipped answer but counts its compressed bytes as the body', async () => {
    const { gzipSync } = await import('node:zlib');
    const body = gzipSync(Buffer.from('{"messages":[]}'));
    const head = `HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n`;
    const capture = await captureOne(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    const meter = new WireMeter();
    const connection = new RawConnection(capture.url, meter, { countLineEnds: false });
    try {
      const answer = await connection.exchange(nodeStyleHead(capture.url, PATH, {}), 5000);
      expect(answer.body).toBe('{"messages":[]}');
      expect(meter.read().down.bodies).toBe(body.length);
      expect(meter.read().down.headers).toBe(head.length);
    } finally {
      connection.close();
      capture.close();
    }
  });

  it('turns an error status into a failure that carries it', async () => {
    const capture = await captureOne('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy');
    const connection = new RawConnection(capture.url, new WireMeter(), { countLineEnds: false });
    try {
      await expect(connection.exchange(nodeStyleHead(capture.url, PATH, {}), 5000)).rejects.toMatchObject({ status: 503, body: 'busy' });
    } finally {
      connection.close();
      capture.close();
    }
  });
});
