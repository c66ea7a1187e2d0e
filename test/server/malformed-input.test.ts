import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createLabMount } from '../../src/lab/mount.ts';
import { closeAll, createSession, startServer } from './helpers.ts';

/** Issue 8, findings 9 and 10: malformed input is a 4xx with its code and one log line, never a 500 with a stack. */

afterEach(async () => {
  vi.restoreAllMocks();
  await closeAll();
});

const resultsDir = mkdtempSync(join(tmpdir(), 'lab-results-'));
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

/** Test routes in the shape of the lab's: a JSON body limited to 1 KiB, a path parameter, a fault of ours. */
function mountTestRoutes(app: express.Express): void {
  app.post('/api/test/json', express.json({ limit: '1kb' }), (req, res) => {
    res.json({ got: req.body as unknown });
  });
  app.get('/api/test/param/:value', (req, res) => {
    res.json({ value: req.params.value });
  });
  app.get('/api/test/bug', () => {
    throw new Error('a bug of ours');
  });
}

function logged(spy: { mock: { calls: unknown[][] } }): string[] {
  return spy.mock.calls.map((call) => call.map(String).join(' '));
}

describe('malformed input on the express routes', () => {
  it('answers a lab_session cookie that is not percent-encoding with 400 bad_request', async () => {
    const server = await startServer();
    for (const path of ['/api/poll?topics=room:a', '/api/longpoll?topics=room:a&wait=0']) {
      const res = await fetch(`${server.url}${path}`, { headers: { cookie: 'lab_session=%E0%A4%A' } });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'bad_request' } });
    }
    const publish = await fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { cookie: 'lab_session=%E0%A4%A', 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'room:a', body: 'x' }),
    });
    expect(publish.status).toBe(400);
  });

  it('answers bad JSON 400, an oversized body 413 and a bad path escape 400, each with its code and one log line', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const server = await startServer({ log: true, mount: mountTestRoutes });
    errors.mockClear();
    const post = (body: string) =>
      fetch(`${server.url}/api/test/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    const bad = await post('{"oops":');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'bad_request' } });
    const big = await post(JSON.stringify({ pad: 'x'.repeat(5000) }));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    const escape = await fetch(`${server.url}/api/test/param/%E0%A4%A`);
    expect(escape.status).toBe(400);
    expect(await escape.json()).toMatchObject({ error: { code: 'bad_request' } });
    expect((await post('{"ok":true}')).status).toBe(200);

    const lines = logged(errors);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).not.toMatch(/\n\s+at /);
      expect(line.split('\n')).toHaveLength(1);
    }
  });

  it('does the same on the lab routes: a results name that is not percent-encoding, bad JSON, a body over 4 KB', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const server = await startServer({ mount: createLabMount({ resultsDir }) });
    const results = await fetch(`${server.url}/api/lab/results/%E0%A4%A`);
    expect(results.status).toBe(400);
    expect(await results.json()).toMatchObject({ error: { code: 'bad_request' } });
    const knob = (body: string) =>
      fetch(`${server.url}/api/lab/network`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await knob('{"oneWayDelayMs":')).status).toBe(400);
    expect((await knob(JSON.stringify({ pad: 'x'.repeat(5000) }))).status).toBe(413);
    expect(logged(errors).filter((line) => /\n\s+at /.test(line))).toEqual([]);
  });

  it('keeps a fault of its own a 500 internal, without its message', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const server = await startServer({ mount: mountTestRoutes });
    const res = await fetch(`${server.url}/api/test/bug`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('internal');
    expect(body.error.message).not.toContain('a bug of ours');
  });
});

describe('POST /api/session against login CSRF', () => {
  const post = (url: string, headers: Record<string, string>) =>
    fetch(`${url}/api/session`, { method: 'POST', headers, body: JSON.stringify({ name: 'victim' }) });

  it('refuses text/plain (what a form or a no-cors fetch can send) with 400 and sets no cookie', async () => {
    const server = await startServer();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await post(server.url, { 'content-type': type, origin: 'http://evil.example' });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'bad_request' } });
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    expect(server.stats().sessions).toBe(0);
  });

  it('refuses JSON from a foreign Origin with 403 forbidden; accepts its own, an allowed one, or none', async () => {
    const server = await startServer({ allowedOrigins: ['http://localhost:5173'] });
    const foreign = await post(server.url, { 'content-type': 'application/json', origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect(foreign.headers.get('set-cookie')).toBeNull();

    const own = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', origin: server.url },
      body: JSON.stringify({ name: 'a1' }),
    });
    expect(own.status).toBe(201);
    const allowed = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost:5173' },
      body: JSON.stringify({ name: 'a2' }),
    });
    expect(allowed.status).toBe(201);
    expect((await createSession(server, 'a3')).token.length).toBeGreaterThan(0);
  });
});
