import { afterEach, describe, expect, it } from 'vitest';
import { SessionRegistry } from '../../src/server/sessions.ts';
import { TokenSigner } from '../../src/server/tokens.ts';
import { closeAll, createSession, getJson, publish, startServer } from './helpers.ts';

afterEach(closeAll);

const JSON_TYPE = { 'content-type': 'application/json' };

describe('sessions', () => {
  it('creates a session: 201 {name, token} and an HttpOnly SameSite=Lax cookie with the same token', async () => {
    const server = await startServer();
    const res = await fetch(`${server.url}/api/session`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ name: 'alice' }) });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { name: string; token: string };
    expect(body.name).toBe('alice');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`lab_session=${body.token}`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it('refuses a name held by a live session with 409 name_taken', async () => {
    const server = await startServer();
    await createSession(server, 'alice');
    const res = await fetch(`${server.url}/api/session`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ name: 'alice' }) });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'name_taken' } });
  });

  it('gives the holder its own session back when it presents its token (a reloaded page), nobody else', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const viaCookie = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { ...JSON_TYPE, cookie: alice.cookie },
      body: JSON.stringify({ name: 'alice' }),
    });
    expect(viaCookie.status).toBe(201);
    const again = (await viaCookie.json()) as { token: string };
    expect((await getJson(server, '/api/poll?topics=user:alice', { authorization: `Bearer ${again.token}` })).status).toBe(200);
    const bob = await createSession(server, 'bob');
    const withOtherToken = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { ...JSON_TYPE, ...bob.auth },
      body: JSON.stringify({ name: 'alice' }),
    });
    expect(withOtherToken.status).toBe(409);
    expect(server.stats().sessions).toBe(2);
  });

  it.each([
    ['missing name', {}],
    ['empty name', { name: '' }],
    ['control characters', { name: 'al\u0000ice' }],
    ['newline', { name: 'alice\n' }],
    ['too long', { name: 'a'.repeat(65) }],
    ['not a string', { name: 42 }],
  ])('refuses a bad name (%s) with 400 bad_request', async (_what, body) => {
    const server = await startServer();
    const res = await fetch(`${server.url}/api/session`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'bad_request' } });
  });

  it('refuses malformed JSON with 400 bad_request', async () => {
    const server = await startServer();
    const res = await fetch(`${server.url}/api/session`, { method: 'POST', headers: JSON_TYPE, body: '{"name":' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'bad_request' } });
  });

  it('accepts the token as Bearer, as ?token= and as the cookie', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const path = '/api/poll?topics=room:lobby';
    expect((await getJson(server, path, alice.auth)).status).toBe(200);
    expect((await getJson(server, `${path}&token=${encodeURIComponent(alice.token)}`)).status).toBe(200);
    expect((await getJson(server, path, { cookie: alice.cookie })).status).toBe(200);
  });

  it('answers 401 unauthorized without a token and with a forged one', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const missing = await getJson(server, '/api/poll?topics=room:lobby');
    expect(missing).toMatchObject({ status: 401, json: { error: { code: 'unauthorized' } } });
    const [payload] = alice.token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ n: 'bob', s: 'x' })).toString('base64url');
    for (const token of [`${forgedPayload}.${alice.token.split('.')[1]}`, `${payload}.AAAA`, 'garbage']) {
      const res = await getJson(server, '/api/poll?topics=room:lobby', { authorization: `Bearer ${token}` });
      expect(res).toMatchObject({ status: 401, json: { error: { code: 'unauthorized' } } });
    }
  });

  it('refuses a cookie-authenticated request from a foreign Origin (403), accepts own and allowed origins', async () => {
    const server = await startServer({ allowedOrigins: ['http://lab.example'] });
    const alice = await createSession(server, 'alice');
    const path = '/api/poll?topics=room:lobby';
    const foreign = await getJson(server, path, { cookie: alice.cookie, origin: 'http://evil.example' });
    expect(foreign).toMatchObject({ status: 403, json: { error: { code: 'forbidden' } } });
    const own = await getJson(server, path, { cookie: alice.cookie, origin: server.url });
    expect(own.status).toBe(200);
    const allowed = await getJson(server, path, { cookie: alice.cookie, origin: 'http://lab.example' });
    expect(allowed.status).toBe(200);
    // A bearer token is not sent by a browser on its own: no Origin check needed.
    expect((await getJson(server, path, { ...alice.auth, origin: 'http://evil.example' })).status).toBe(200);
    // A cookie publish from a foreign origin is refused too.
    const res = await fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { cookie: alice.cookie, origin: 'http://evil.example' },
      body: JSON.stringify({ topic: 'room:lobby', body: 'x' }),
    });
    expect(res.status).toBe(403);
  });

  it('counts live sessions in /api/stats', async () => {
    const server = await startServer();
    await createSession(server, 'alice');
    await createSession(server, 'bob');
    expect(server.stats().sessions).toBe(2);
  });

  it('sets from from the token and ignores a forged from', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    await publish(server, alice, { topic: 'room:lobby', body: 'hi', from: 'mallory' });
    const { json } = await getJson(server, '/api/poll?topics=room:lobby&backlog=10', alice.auth);
    expect(json.messages).toEqual([expect.objectContaining({ from: 'alice', body: 'hi' })]);
  });
});

describe('SessionRegistry', () => {
  const make = (clock: { now: number }) =>
    new SessionRegistry(new TokenSigner('secret'), {
      publishRatePerSecond: 1,
      publishBurst: 1,
      sessionIdleMs: 1_000,
      now: () => clock.now,
    });

  it('holds a name while a connection is open or a request was recent, then lets it go', () => {
    const clock = { now: 0 };
    const registry = make(clock);
    const { session } = registry.create('alice');
    clock.now = 500;
    expect(() => registry.create('alice')).toThrow(/held/);
    const release = registry.hold(session);
    clock.now = 10_000;
    expect(() => registry.create('alice')).toThrow(/held/);
    release();
    clock.now = 10_999;
    expect(() => registry.create('alice')).toThrow(/held/);
    clock.now = 11_000;
    expect(registry.sweep()).toBe(0);
    expect(registry.create('alice').session.id).not.toBe(session.id);
  });

  it('refuses an expired token once another session holds its name, revives it otherwise', () => {
    const clock = { now: 0 };
    const registry = make(clock);
    const first = registry.create('alice');
    clock.now = 5_000;
    expect(registry.resume({ name: 'alice', sessionId: first.session.id }).id).toBe(first.session.id);
    clock.now = 10_000;
    const second = registry.create('alice');
    expect(() => registry.resume({ name: 'alice', sessionId: first.session.id })).toThrow(/another session/);
    expect(registry.resume({ name: 'alice', sessionId: second.session.id }).id).toBe(second.session.id);
  });
});

describe('TokenSigner', () => {
  it('verifies its own tokens and refuses tampered or foreign ones', () => {
    const signer = new TokenSigner('one');
    const token = signer.sign({ name: 'alice', sessionId: 's1' });
    expect(signer.verify(token)).toEqual({ name: 'alice', sessionId: 's1' });
    expect(new TokenSigner('two').verify(token)).toBeUndefined();
    expect(signer.verify(`${token}x`)).toBeUndefined();
    expect(signer.verify(token.replace(/^./, 'x'))).toBeUndefined();
  });
});
