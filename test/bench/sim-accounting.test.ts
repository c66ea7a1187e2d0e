/**
 * The simulated clients' own accounting: what they parse against bytes
 * computed independently, and the per-recipient seq bookkeeping.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueTimeOf, stampedBody } from '../../bench/sim/body.ts';
import { clientAgent, exchange } from '../../bench/sim/http.ts';
import { clientFrameHeaderBytes, WireMeter } from '../../bench/sim/meter.ts';
import { SeqTracker } from '../../bench/sim/seq-tracker.ts';

const BODY = '{"messages":[],"gaps":[],"cursor":"c1","more":false}';
let server: http.Server;
let base: URL;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (request.url === '/chunked') {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('abc');
      response.end('defgh');
      return;
    }
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
      response.end(BODY);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('WireMeter on a real exchange', () => {
  it('splits a request and a Content-Length response exactly', async () => {
    const meter = new WireMeter();
    const agent = clientAgent(1);
    const body = '{"topic":"room:a","body":"hi"}';
    await exchange({ agent, meter, baseUrl: base, method: 'POST', path: '/api/messages', headers: {}, body, timeoutMs: 5000 });
    const reading = meter.read();
    agent.destroy();
    const requestHead =
      `POST /api/messages HTTP/1.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n` +
      `Host: ${base.host}\r\nConnection: keep-alive\r\n\r\n`;
    expect(reading.up).toEqual({ headers: requestHead.length, framing: 0, bodies: body.length });
    expect(reading.down.bodies).toBe(BODY.length);
    expect(reading.down.framing).toBe(0);
    expect(reading.down.headers).toBeGreaterThan(0);
  });

  it('leaves chunked-encoding overhead as framing', async () => {
    const meter = new WireMeter();
    const agent = clientAgent(1);
    await exchange({ agent, meter, baseUrl: base, method: 'GET', path: '/chunked', headers: {}, timeoutMs: 5000 });
    const reading = meter.read();
    agent.destroy();
    // "3\r\nabc\r\n" + "5\r\ndefgh\r\n" + "0\r\n\r\n": 5 + 5 + 5 bytes around 8 bytes of body.
    expect(reading.down.bodies).toBe(8);
    expect(reading.down.framing).toBe(15);
  });

  it('knows the masked client frame header of RFC 6455', () => {
    expect(clientFrameHeaderBytes(0)).toBe(6);
    expect(clientFrameHeaderBytes(125)).toBe(6);
    expect(clientFrameHeaderBytes(126)).toBe(8);
    expect(clientFrameHeaderBytes(65_536)).toBe(14);
  });
});

describe('stamped bodies', () => {
  it('carry their due time and the asked size', () => {
    const body = stampedBody(123_456_789_012n, 100);
    expect(body).toHaveLength(100);
    expect(dueTimeOf(body)).toBe(123_456_789_012n);
    expect(dueTimeOf('hello')).toBeNull();
  });
});

describe('SeqTracker', () => {
  it('counts duplicates, out-of-order arrivals and what is still missing', () => {
    const tracker = new SeqTracker();
    for (const seq of [1, 2, 4, 3, 3, 5]) tracker.arrive(seq);
    expect(tracker.duplicated).toBe(1);
    expect(tracker.outOfOrder).toBe(1);
    expect(tracker.receivedUpTo(6)).toBe(5);
    expect(tracker.hasAll(5)).toBe(true);
    expect(tracker.hasAll(6)).toBe(false);
    expect(tracker.above(4)).toBe(1);
  });

  it('counts seqs covered by a gap as not received, yet not awaited', () => {
    const tracker = new SeqTracker();
    tracker.arrive(1);
    tracker.skip(2, 4);
    tracker.arrive(5);
    expect(tracker.hasAll(5)).toBe(true);
    expect(tracker.receivedUpTo(5)).toBe(2);
  });
});
