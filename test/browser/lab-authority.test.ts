/**
 * Issue 8, finding 1: the lab's knobs answer only to the instructor, another
 * site's page is refused, and the wire inspector shows an asker only their
 * own pane's traffic, with tokens, cookies and keys masked to the same length.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.ts';
import type { Client } from '../../src/client/types.ts';
import type { BackgroundState, LabSettings, NetworkState, WireSnapshot } from '../../src/lab/types.ts';
import { LabNetwork } from '../../src/lab/network.ts';
import { redactHead } from '../../src/lab/redact.ts';
import type { LabServer } from '../../src/server/create.ts';
import { callJson, newSession, startLab } from './lab-helpers.ts';

const KEY = 'the-instructors-lab-key';
const EVIL = 'http://evil.example';
const clients: Client[] = [];
let classroom: LabServer;
let solo: LabServer;

beforeAll(async () => {
  // A class: the server is reachable from other machines, so loopback is not trusted; only the key is.
  classroom = await startLab({ labKey: KEY, loopbackIsInstructor: false });
  // Alone on one's own machine: the default for a loopback --host.
  solo = await startLab({ labKey: KEY });
});

afterAll(async () => {
  for (const client of clients) await client.close();
  await classroom?.close();
  await solo?.close();
});

const KNOBS: [string, unknown][] = [
  ['/api/lab/network', { oneWayDelayMs: 2000 }],
  ['/api/lab/network/drop', {}],
  ['/api/lab/background', { count: 8 }],
];

describe('the knobs answer only to the instructor', () => {
  it('refuses every knob without the key, with forbidden and a reason, and changes nothing', async () => {
    for (const [route, body] of KNOBS) {
      for (const headers of [{}, { 'x-lab-key': 'a-wrong-key-of-some-length' }] as Record<string, string>[]) {
        const { status, json } = await callJson<{ error: { code: string; message: string } }>(classroom.url, 'POST', route, { body, headers });
        expect(status, route).toBe(403);
        expect(json.error.code).toBe('forbidden');
        expect(json.error.message).toMatch(/instructor|lab key/);
      }
    }
    const settings = (await callJson<LabSettings>(classroom.url, 'GET', '/api/lab/settings')).json;
    expect(settings.network.oneWayDelayMs).toBe(0);
    expect(settings.background.count).toBe(0);
    expect(settings.lastDropAt).toBeNull();
    expect(settings.authority.instructor).toBe(false);
    expect(settings.authority.reason).toMatch(/instructor/);
  });

  it('obeys the key, and every asker reads the new settings', async () => {
    const headers = { 'x-lab-key': KEY };
    const set = await callJson<NetworkState>(classroom.url, 'POST', '/api/lab/network', { body: { oneWayDelayMs: 30 }, headers });
    expect(set.status).toBe(200);
    expect((await callJson(classroom.url, 'POST', '/api/lab/network/drop', { body: {}, headers })).status).toBe(200);
    const started = await callJson<BackgroundState>(classroom.url, 'POST', '/api/lab/background', { body: { count: 4 }, headers });
    expect(started.json.count).toBe(4);
    const asStudent = (await callJson<LabSettings>(classroom.url, 'GET', '/api/lab/settings')).json;
    expect([asStudent.network.oneWayDelayMs, asStudent.background.count]).toEqual([30, 4]);
    expect(asStudent.lastDropAt).toEqual(expect.any(Number));
    const asInstructor = (await callJson<LabSettings>(classroom.url, 'GET', '/api/lab/settings', { headers })).json;
    expect(asInstructor.authority.instructor).toBe(true);
    await callJson(classroom.url, 'POST', '/api/lab/background', { body: { count: 0 }, headers });
    await callJson(classroom.url, 'POST', '/api/lab/network', { body: { oneWayDelayMs: 0 }, headers });
  });

  it('refuses another site\'s page even with the key, and even from loopback', async () => {
    for (const server of [classroom, solo]) {
      for (const [route, body] of KNOBS) {
        const { status, json } = await callJson<{ error: { code: string } }>(server.url, 'POST', route,
          { body, headers: { origin: EVIL, 'x-lab-key': KEY } });
        expect([route, status, json.error.code]).toEqual([route, 403, 'forbidden']);
      }
      expect((await callJson(server.url, 'GET', '/api/lab/wire/poll', { headers: { origin: EVIL, authorization: 'Bearer x' } })).status).toBe(403);
    }
    expect((await callJson<LabSettings>(solo.url, 'GET', '/api/lab/settings')).json.network.oneWayDelayMs).toBe(0);
  });

  it('says when the page holds a key from an earlier start', async () => {
    const headers = { 'x-lab-key': 'a-key-from-yesterday' };
    const stale = (await callJson<LabSettings>(classroom.url, 'GET', '/api/lab/settings', { headers })).json.authority;
    expect([stale.instructor, stale.keyRejected]).toEqual([false, true]);
    expect(stale.reason).toMatch(/restarted/);
    // On a loopback-only server the stale key locks nobody out.
    expect((await callJson<LabSettings>(solo.url, 'GET', '/api/lab/settings', { headers })).json.authority.instructor).toBe(true);
  });

  it('trusts loopback without a key only when the server listens on loopback alone', async () => {
    const settings = (await callJson<LabSettings>(solo.url, 'GET', '/api/lab/settings')).json;
    expect(settings.authority.instructor).toBe(true);
    const set = await callJson<NetworkState>(solo.url, 'POST', '/api/lab/network', { body: { oneWayDelayMs: 10 }, headers: { origin: solo.url } });
    expect(set.status).toBe(200);
    await callJson(solo.url, 'POST', '/api/lab/network', { body: { oneWayDelayMs: 0 } });
  });
});

describe('pane addresses follow the host the browser used', () => {
  it('starts the pane proxies where the server listens, not on 127.0.0.1 regardless', async () => {
    // As `--host 0.0.0.0` puts them on every interface; here a second loopback address stands for one.
    const network = new LabNetwork({ host: '127.0.0.1', port: classroom.port }, '127.0.0.2');
    try {
      const state = await network.state('127.0.0.2');
      for (const url of Object.values(state.panes)) {
        const onSecondAddress = `http://127.0.0.2:${new URL(url).port}`;
        const status = await fetch(`${onSecondAddress}/healthz`).then((response) => response.status, (error: Error) => error.message);
        expect([onSecondAddress, status]).toEqual([onSecondAddress, 200]);
      }
    } finally {
      await network.close();
    }
  });

  it('builds pane URLs from the Host header, not from the listening address', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.get(`${classroom.url}/api/lab/network`, { headers: { host: `127.0.0.2:${classroom.port}` } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
    });
    const network = JSON.parse(body) as NetworkState;
    for (const url of Object.values(network.panes)) expect(url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
  });
});

describe('the wire inspector', () => {
  it('shows a session its own exchanges only, with every secret masked to the same length', async () => {
    const network = (await callJson<NetworkState>(classroom.url, 'GET', '/api/lab/network')).json;
    const alice = await newSession(classroom.url, 'wire-alice');
    const mallory = await newSession(classroom.url, 'wire-mallory');
    const poller = createClient('poll', {
      baseUrl: network.panes.poll,
      token: alice.token,
      pollIntervalMs: 100,
      headers: { cookie: `lab_session=${alice.token}; theme=dark` },
    });
    clients.push(poller);
    await poller.subscribe(['room:wire']);
    await poller.publish('room:wire', 'from alice');

    const asAlice = { authorization: `Bearer ${alice.token}` };
    await expect.poll(async () => (await callJson<WireSnapshot>(classroom.url, 'GET', '/api/lab/wire/poll', { headers: asAlice })).json.publish?.requestLine ?? '')
      .toMatch(/^POST \/api\/messages/);
    const own = (await callJson<WireSnapshot>(classroom.url, 'GET', '/api/lab/wire/poll', { headers: asAlice })).json;
    for (const exchange of [own.receive!, own.publish!]) {
      const bytes = Buffer.from(exchange.request.base64, 'base64');
      const text = bytes.toString('latin1');
      expect(text).not.toContain(alice.token);
      expect(text).toMatch(new RegExp(`authorization: Bearer \\*{${alice.token.length}}\\r\\n`, 'i'));
      expect(text).toMatch(new RegExp(`cookie: lab_session=\\*{${alice.token.length}}; theme=\\*{4}\\r\\n`, 'i'));
      // Masked, not removed: the bytes shown are as many as crossed the wire.
      expect(exchange.request.omitted).toBe(0);
      expect(bytes.length).toBe(exchange.request.length);
    }

    const others = await callJson<WireSnapshot>(classroom.url, 'GET', '/api/lab/wire/poll', { headers: { authorization: `Bearer ${mallory.token}` } });
    expect(others.status).toBe(200);
    expect([others.json.receive, others.json.publish, others.json.frames]).toEqual([null, null, []]);
    const nobody = await callJson<{ error: { code: string } }>(classroom.url, 'GET', '/api/lab/wire/poll');
    expect([nobody.status, nobody.json.error.code]).toEqual([401, 'unauthorized']);
  });

  it('keeps WebSocket frames per session', async () => {
    const network = (await callJson<NetworkState>(classroom.url, 'GET', '/api/lab/network')).json;
    const bob = await newSession(classroom.url, 'wire-bob');
    const eve = await newSession(classroom.url, 'wire-eve');
    const socket = createClient('ws', { baseUrl: network.panes.ws, token: bob.token });
    clients.push(socket);
    await socket.subscribe(['room:wire-ws']);
    await socket.publish('room:wire-ws', 'bob over ws');
    const frames = async (token: string) =>
      (await callJson<WireSnapshot>(classroom.url, 'GET', '/api/lab/wire/ws', { headers: { authorization: `Bearer ${token}` } })).json.frames;
    await expect.poll(async () => (await frames(bob.token)).some((frame) => frame.direction === 'up' && frame.text.includes('bob over ws'))).toBe(true);
    expect(await frames(eve.token)).toEqual([]);
  });

  it('masks a token in the request line, cookie values and a lab key, keeping every length', () => {
    const head = 'GET /ws?token=abc.def&topics=room%3Alab HTTP/1.1\r\nHost: x\r\nCookie: a=1; lab_session=secret\r\n'
      + 'X-Lab-Key: k3y\r\nAuthorization: Bearer t0k\r\nAccept: */*\r\n\r\nbody token=stays';
    const masked = redactHead(Buffer.from(head, 'latin1')).toString('latin1');
    expect(masked).toBe('GET /ws?token=*******&topics=room%3Alab HTTP/1.1\r\nHost: x\r\nCookie: a=*; lab_session=******\r\n'
      + 'X-Lab-Key: ***\r\nAuthorization: Bearer ***\r\nAccept: */*\r\n\r\nbody token=stays');
    const response = 'HTTP/1.1 201 Created\r\nSet-Cookie: lab_session=abc; Path=/; HttpOnly\r\n\r\n';
    expect(redactHead(Buffer.from(response, 'latin1')).toString('latin1'))
      .toBe('HTTP/1.1 201 Created\r\nSet-Cookie: lab_session=***; Path=/; HttpOnly\r\n\r\n');
  });
});
