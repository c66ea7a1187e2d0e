/**
 * Issue 11's live-lab knobs without a browser: the network profile and its raw
 * knobs, the panes' HTTP version, and compression shown read-only. Who may turn
 * them, what is refused (400 with a reason that names the field), what every
 * tab reads back, and that the proxies really apply them.
 */
import http2 from 'node:http2';
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabSettings, NetworkState } from '../../src/lab/types.ts';
import type { LabServer } from '../../src/server/create.ts';
import { callJson, newSession, startLab } from './lab-helpers.ts';

const KEY = 'the-instructors-lab-key';
const instructor = { 'x-lab-key': KEY };
type ErrorBody = { error: { code: string; message: string } };

let classroom: LabServer;
let withTls: LabServer;

beforeAll(async () => {
  classroom = await startLab({ labKey: KEY, loopbackIsInstructor: false }, { wsPerMessageDeflate: true });
  withTls = await startLab({ labKey: KEY }, { tlsPort: 0, httpCompression: 'gzip' });
});

afterAll(async () => {
  await classroom?.close();
  await withTls?.close();
});

const settingsOf = async (server: LabServer, headers: Record<string, string> = {}): Promise<LabSettings> =>
  (await callJson<LabSettings>(server.url, 'GET', '/api/lab/settings', { headers })).json;

const setConditions = (server: LabServer, body: unknown) =>
  callJson<NetworkState & ErrorBody>(server.url, 'POST', '/api/lab/network/conditions', { body, headers: instructor });

/** A raw TCP connection through a pane's proxy; resolves `closed` when the proxy cuts it. */
async function openThrough(paneOrigin: string): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  const { hostname, port } = new URL(paneOrigin);
  const socket = net.connect({ host: hostname, port: Number(port) });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return { socket, closed: new Promise((resolve) => socket.once('close', () => resolve())) };
}

describe('the network conditions knob', () => {
  it('answers only to the instructor, and a refusal changes nothing', async () => {
    for (const [route, body] of [['/api/lab/network/conditions', { profile: 'mobile-3g' }], ['/api/lab/network/http', { version: '1.1' }]] as const) {
      const { status, json } = await callJson<ErrorBody>(classroom.url, 'POST', route, { body });
      expect([route, status, json.error.code]).toEqual([route, 403, 'forbidden']);
      // Another site's page is refused even with the key.
      const foreign = await callJson<ErrorBody>(classroom.url, 'POST', route, { body, headers: { ...instructor, origin: 'http://evil.example' } });
      expect([route, foreign.status]).toEqual([route, 403]);
    }
    const { network } = await settingsOf(classroom);
    expect(network.conditions).toMatchObject({ profile: null, jitterMs: 0, cutEveryMs: 0, idleDropMs: 0 });
    expect(network.httpVersion).toBe('1.1');
  });

  it('refuses bad values with 400 and a reason naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ profile: 'moon' }, /profile must be one of none, loopback, .*mobile-3g, flaky-wifi, nat-60s/],
      [{ profile: 3 }, /profile must be one of/],
      [{ jitterMs: -1 }, /jitterMs must be a number from 0 to 10000/],
      [{ stallsPerMinute: 601 }, /stallsPerMinute must be a number from 0 to 600/],
      [{ cutEveryMs: 50 }, /cutEveryMs must be 0 \(never\) or from 100/],
      [{ idleDropMs: '60s' }, /idleDropMs must be a number/],
      [{ bandwidth: 1 }, /unknown field bandwidth/],
      [{}, /send a profile or at least one of/],
      [[1], /JSON object/],
    ];
    for (const [body, message] of cases) {
      const { status, json } = await setConditions(classroom, body);
      expect([JSON.stringify(body), status, json.error.code]).toEqual([JSON.stringify(body), 400, 'bad_request']);
      expect(json.error.message).toMatch(message);
    }
    const plain = await fetch(`${classroom.url}/api/lab/network/conditions`, { method: 'POST', headers: instructor, body: 'profile=mobile-3g' });
    expect(plain.status).toBe(400);
    expect((await settingsOf(classroom)).network.conditions.profile).toBeNull();
  });

  it('applies a profile whole, shows it to every tab, and keeps it under a raw knob', async () => {
    const set = await setConditions(classroom, { profile: 'mobile-3g' });
    expect(set.status).toBe(200);
    // A student's tab (no key) reads what the instructor set.
    const student = await settingsOf(classroom);
    expect(student.authority.instructor).toBe(false);
    expect(student.network.oneWayDelayMs).toBe(150);
    expect(student.network.conditions).toMatchObject({
      profile: 'mobile-3g', jitterMs: 50, stallsPerMinute: 2, cutEveryMs: 0, idleDropMs: 0, bandwidthBytesPerSecond: 125_000,
    });
    expect(student.network.conditions.description).toMatch(/^mobile-3g: 1000 kbps per direction, jitter ±50 ms \(normal\), stalls/);
    expect(student.lastDropAt).toEqual(expect.any(Number));

    await setConditions(classroom, { idleDropMs: 60_000 });
    const adjusted = (await settingsOf(classroom)).network.conditions;
    expect(adjusted).toMatchObject({ profile: 'mobile-3g', jitterMs: 50, idleDropMs: 60_000, bandwidthBytesPerSecond: 125_000 });
    expect(adjusted.description).toMatch(/^mobile-3g \(knobs changed\): .*silent drop after 60 s idle/);

    await setConditions(classroom, { profile: 'none' });
    const cleared = (await settingsOf(classroom)).network;
    expect(cleared.conditions).toMatchObject({ profile: null, jitterMs: 0, stallsPerMinute: 0, idleDropMs: 0, bandwidthBytesPerSecond: null });
    expect(cleared.conditions.description).toBe('no profile: no impairment');
    // "none" leaves the delay as it was.
    expect(cleared.oneWayDelayMs).toBe(150);
    await callJson(classroom.url, 'POST', '/api/lab/network', { body: { oneWayDelayMs: 0 }, headers: instructor });
  });

  it('puts the conditions on the pane proxies: a change cuts open connections, a cut clock keeps cutting', async () => {
    const { network } = await settingsOf(classroom);
    const before = await openThrough(network.panes.sse);
    // The change itself cuts what was open, so long-lived connections come back under it.
    expect((await setConditions(classroom, { cutEveryMs: 200 })).status).toBe(200);
    await before.closed;
    // A connection opened under the new conditions is cut by the clock.
    const after = await openThrough(network.panes.ws);
    await after.closed;
    expect((await setConditions(classroom, { cutEveryMs: 0 })).json.conditions.cutEveryMs).toBe(0);
  });
});

describe('the HTTP version knob', () => {
  it('says how to start a TLS port when the server has none, and refuses HTTP/2', async () => {
    const { network } = await settingsOf(classroom);
    expect(network.http2.available).toBe(false);
    expect(network.http2.hint).toMatch(/--tls-port/);
    const { status, json } = await callJson<ErrorBody>(classroom.url, 'POST', '/api/lab/network/http', { body: { version: '2' }, headers: instructor });
    expect([status, json.error.code]).toEqual([400, 'bad_request']);
    expect(json.error.message).toMatch(/no TLS port.*--tls-port/);
    const bad = await callJson<ErrorBody>(classroom.url, 'POST', '/api/lab/network/http', { body: { version: 3 }, headers: instructor });
    expect([bad.status, bad.json.error.message]).toEqual([400, 'version must be "1.1" or "2"']);
  });

  it('moves the poll, long-poll and SSE panes to HTTP/2 over the TLS port, and the ws pane stays', async () => {
    const set = await callJson<NetworkState>(withTls.url, 'POST', '/api/lab/network/http', { body: { version: '2' } });
    expect(set.status).toBe(200);
    const { network } = await settingsOf(withTls);
    expect(network.httpVersion).toBe('2');
    expect(network.http2.available).toBe(true);
    for (const name of ['poll', 'longpoll', 'sse'] as const) expect(network.panes[name]).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(network.panes.ws).toMatch(/^http:\/\//);

    // Through the sse pane's proxy: the page itself and a poll, both over h2.
    const { token } = await newSession(withTls.url, 'h2-pane');
    const session = http2.connect(network.panes.sse, { rejectUnauthorized: false });
    try {
      const get = async (path: string): Promise<[number, string]> => {
        const request = session.request({ ':path': path, authorization: `Bearer ${token}` });
        const [headers] = (await once(request, 'response')) as [http2.IncomingHttpHeaders];
        let body = '';
        request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        await once(request, 'end');
        return [Number(headers[':status']), body];
      };
      const [pageStatus, page] = await get('/?pane=sse-1');
      expect([pageStatus, page.startsWith('<!doctype html>')]).toEqual([200, true]);
      const [pollStatus, poll] = await get('/api/poll?topics=room:lab');
      expect([pollStatus, JSON.parse(poll).messages]).toEqual([200, []]);
      const [missing] = await get('/api/stats');
      expect(missing).toBe(404);
    } finally {
      session.close();
    }

    const back = await callJson<NetworkState>(withTls.url, 'POST', '/api/lab/network/http', { body: { version: '1.1' } });
    expect(back.json.panes.sse).toMatch(/^http:\/\//);
  });
});

describe('compression', () => {
  it('shows how the server was started, read-only', async () => {
    expect((await settingsOf(classroom)).compression).toEqual({ wsPerMessageDeflate: true, gzip: false });
    expect((await settingsOf(withTls)).compression).toEqual({ wsPerMessageDeflate: false, gzip: true });
  });
});
