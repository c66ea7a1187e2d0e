/**
 * The lab's server-side routes without a browser: results listing and path
 * validation, the network knob, background clients, and the wire inspector's
 * bytes checked against frames built by hand.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.ts';
import type { Client } from '../../src/client/types.ts';
import type { LabServer } from '../../src/server/create.ts';
import type { BackgroundState, NetworkState, ResultsListing, WireSnapshot } from '../../src/lab/types.ts';
import { readFrame } from '../../src/lab/ws-frames.ts';
import { REPO, startServer } from './harness.ts';
import { newSession } from './lab-helpers.ts';

let server: LabServer;
let resultsDir: string;
const clients: Client[] = [];

beforeAll(async () => {
  resultsDir = mkdtempSync(path.join(tmpdir(), 'lab-routes-'));
  mkdirSync(path.join(resultsDir, 'reference'));
  copyFileSync(path.join(REPO, 'test/fixtures/results-small.json'), path.join(resultsDir, 'reference/ref.json'));
  writeFileSync(path.join(resultsDir, 'broken.json'), 'not json');
  server = await startServer(resultsDir);
});

afterAll(async () => {
  for (const client of clients) await client.close();
  await server?.close();
  rmSync(resultsDir, { recursive: true, force: true });
});

async function call<T>(method: 'GET' | 'POST', route: string, body?: unknown, token?: string): Promise<{ status: number; json: T }> {
  const response = await fetch(`${server.url}${route}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as T };
}

describe('results routes', () => {
  it('lists runs with their state, including the reference folder', async () => {
    const { json } = await call<ResultsListing>('GET', '/api/lab/results');
    const byFile = Object.fromEntries(json.files.map((file) => [file.file, file]));
    expect(byFile['reference/ref.json'].status).toBe('ok');
    expect(byFile['reference/ref.json'].runId).toBe('fixture-small');
    expect(byFile['broken.json'].status).toBe('corrupt');
  });

  it('serves a file by name and refuses names that leave results/', async () => {
    const ok = await fetch(`${server.url}/api/lab/results/${encodeURIComponent('reference/ref.json')}`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { runId: string }).runId).toBe('fixture-small');
    for (const name of ['..%2Fpackage.json', '%2Fetc%2Fpasswd.json', 'reference%2F..%2F..%2Fx.json', 'x.txt']) {
      const refused = await fetch(`${server.url}/api/lab/results/${name}`);
      expect(refused.status, name).toBe(400);
    }
    expect((await fetch(`${server.url}/api/lab/results/nothing.json`)).status).toBe(404);
  });
});

describe('network and background knobs', () => {
  it('gives each pane its own proxy and bounds the delay', async () => {
    const { json } = await call<NetworkState>('GET', '/api/lab/network');
    expect(new Set(Object.values(json.panes)).size).toBe(4);
    expect((await call('POST', '/api/lab/network', { oneWayDelayMs: -1 })).status).toBe(400);
    expect((await call('POST', '/api/lab/network', { oneWayDelayMs: 1e6 })).status).toBe(400);
    const set = await call<NetworkState>('POST', '/api/lab/network', { oneWayDelayMs: 20 });
    expect(set.json.oneWayDelayMs).toBe(20);
    await call('POST', '/api/lab/network', { oneWayDelayMs: 0 });
  });

  it('runs background clients spread over the transports, within bounds', async () => {
    const started = await call<BackgroundState>('POST', '/api/lab/background', { count: 4 });
    expect(started.json.perTransport).toEqual({ poll: 1, longpoll: 1, sse: 1, ws: 1 });
    expect((await call('POST', '/api/lab/background', { count: 1000 })).status).toBe(400);
    expect((await call('POST', '/api/lab/background', { count: 1.5 })).status).toBe(400);
    const stopped = await call<BackgroundState>('POST', '/api/lab/background', { count: 0 });
    expect(stopped.json.count).toBe(0);
  });
});

describe('wire inspector', () => {
  it('keeps the exact bytes of a poll exchange on the poll pane', async () => {
    const { json: network } = await call<NetworkState>('GET', '/api/lab/network');
    const { token } = await newSession(server.url, 'wire-poller');
    const poller = createClient('poll', { baseUrl: network.panes.poll, token, pollIntervalMs: 100 });
    clients.push(poller);
    await poller.subscribe(['room:wire']);
    await expect.poll(async () => (await call<WireSnapshot>('GET', '/api/lab/wire/poll', undefined, token)).json.receive?.requestLine ?? '')
      .toMatch(/^GET \/api\/poll\?.* HTTP\/1\.1$/);
    const { json } = await call<WireSnapshot>('GET', '/api/lab/wire/poll', undefined, token);
    const response = Buffer.from(json.receive!.response.base64, 'base64').toString('latin1');
    expect(response.startsWith('HTTP/1.1 200')).toBe(true);
    expect(response).toContain('"messages":[');
  });

  it('keeps the last WebSocket frame each way with its header length', async () => {
    const { json: network } = await call<NetworkState>('GET', '/api/lab/network');
    const { token } = await newSession(server.url, 'wire-ws');
    const socket = createClient('ws', { baseUrl: network.panes.ws, token });
    clients.push(socket);
    await socket.subscribe(['room:wire']);
    await socket.publish('room:wire', 'short body');
    const find = async (direction: 'up' | 'down', op: string) => (await call<WireSnapshot>('GET', '/api/lab/wire/ws', undefined, token)).json
      .frames.find((frame) => frame.direction === direction && frame.text.includes(`"op":"${op}"`) && frame.text.includes('short body'));
    await expect.poll(() => find('down', 'message')).toBeTruthy();
    const down = (await find('down', 'message'))!;
    const up = (await find('up', 'publish'))!;
    // RFC 6455 § 5.2: server → client unmasked, 2 header bytes under 126 payload bytes, else 2 + a 16-bit length;
    // client → server adds a 4-byte mask key.
    const bytes = Buffer.from(down.base64, 'base64');
    expect(bytes[0]).toBe(0x81);
    expect(bytes.length).toBe(down.headerLength + down.payloadLength);
    expect(Buffer.byteLength(down.text)).toBe(down.payloadLength);
    if (down.payloadLength < 126) {
      expect([down.headerLength, bytes[1]]).toEqual([2, down.payloadLength]);
    } else {
      expect([down.headerLength, bytes[1], bytes.readUInt16BE(2)]).toEqual([4, 126, down.payloadLength]);
    }
    expect(up.payloadLength).toBeLessThan(126);
    expect(up.headerLength).toBe(6);
    expect(up.maskLength).toBe(4);
  });

  it('reads a frame with a 16-bit length and unmasks its payload', () => {
    const payload = Buffer.from('x'.repeat(300));
    const mask = Buffer.from([1, 2, 3, 4]);
    const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
    const header = Buffer.from([0x81, 0x80 | 126, 300 >> 8, 300 & 0xff]);
    const frame = Buffer.concat([header, mask, masked]);
    expect(readFrame(frame.subarray(0, 100))).toBeNull();
    const read = readFrame(frame)!;
    expect(read.consumed).toBe(frame.length);
    expect(read.frame).toMatchObject({ opcode: 1, fin: true, headerLength: 8, maskLength: 4, payloadLength: 300 });
    expect(read.frame.text).toBe(payload.toString());
  });
});
