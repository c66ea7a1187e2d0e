/**
 * The simulated clients' own accounting: what they parse against bytes
 * computed independently, and what the worker records of each delivery
 * (the counting itself is bench/aggregate's: test/bench-core/deliveries.test.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueTimeOf, stampedBody } from '../../bench/sim/body.ts';
import { clientAgent, exchange } from '../../bench/sim/http.ts';
import { clientFrameHeaderBytes, WireMeter } from '../../bench/sim/meter.ts';
import { DeliveryRecorder } from '../../bench/sim/recorder.ts';
import type { Message } from '../../src/protocol/index.ts';

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

describe('DeliveryRecorder', () => {
  const message = (topic: string, seq: number, body = stampedBody(1_000_000n, 64)): Message =>
    ({ topic, seq, id: `${topic}-${seq}`, from: 'p', body, ts: 0 });

  it('records only the measured phase and the subscribed topics, and tallies them by hand', () => {
    const recorder = new DeliveryRecorder([['room:a'], ['room:a', 'room:b']]);
    recorder.message(0, message('room:a', 1), 2_000_000n); // before start: not recorded
    recorder.gap(1, { topic: 'room:b', from: 1, to: 1 }); // before start: covered, not counted
    recorder.start();
    for (const seq of [1, 2, 2]) recorder.message(0, message('room:a', seq), 2_000_000n);
    recorder.message(0, message('room:b', 1), 2_000_000n); // client 0 did not subscribe to room:b
    recorder.message(1, message('room:a', 2, 'no due time'), 2_000_000n);
    recorder.gap(1, { topic: 'room:b', from: 2, to: 2 });
    recorder.message(1, message('room:b', 3), 2_000_000n);
    expect(recorder.deliveries).toBe(4);
    expect(recorder.unstamped).toBe(1);
    expect(recorder.total.totalCount).toBe(3);
    expect(recorder.complete({ 'room:a': 2, 'room:b': 3 })).toBe(false);
    expect(recorder.complete({ 'room:a': 1, 'room:b': 3 })).toBe(false);
    recorder.message(1, message('room:a', 1), 2_000_000n);
    expect(recorder.complete({ 'room:a': 2, 'room:b': 3 })).toBe(true);
    // room:a: 2 + 2 expected, all received (one duplicate); room:b: 3 expected, 1 received, 2 covered by gaps.
    expect(recorder.tally({ 'room:a': 2, 'room:b': 3 })).toEqual({
      expected: 7, received: 5, duplicated: 1, outOfOrder: 1, gaps: 1, unexpected: 0,
    });
  });
});
