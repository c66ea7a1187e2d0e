import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, eventually, startServer } from './helpers.ts';

afterEach(closeAll);

describe('cold routes (express)', () => {
  it('serves /healthz, and routes that mount() adds before the 404 fallback', async () => {
    const server = await startServer({
      mount: (app, lab) => {
        app.get('/api/lab/hello', (_req, res) => {
          res.json({ hello: 'lab', url: lab.url });
        });
      },
    });
    expect(await (await fetch(`${server.url}/healthz`)).text()).toBe('ok');
    const res = await fetch(`${server.url}/api/lab/hello`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ hello: 'lab', url: server.url });
    expect(server.stats().other.requests).toBe(2);
  });

  it('answers a wrong method on a hot path with the JSON 404', async () => {
    const server = await startServer();
    const res = await fetch(`${server.url}/api/poll`, { method: 'DELETE' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'bad_request' } });
  });

  it('answers an upgrade on another path with 404', async () => {
    const server = await startServer();
    const { RawWebSocket } = await import('./raw-ws.ts');
    const raw = await RawWebSocket.open(server.url, '/elsewhere');
    expect(raw.handshake).toMatch(/^HTTP\/1\.1 404/);
    raw.destroy();
  });

  it('answers requests on sockets over maxConnections with 503 too_many_connections', async () => {
    const server = await startServer({ maxConnections: 1 });
    const holder = net.connect(server.port, '127.0.0.1');
    await once(holder, 'connect');
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(503);
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.json()).toMatchObject({ error: { code: 'too_many_connections' } });
    holder.destroy();
    await eventually(async () => (await fetch(`${server.url}/healthz`)).status, (status) => status === 200);
  });

  it('stops accepting connections once closed', async () => {
    const server = await startServer();
    await server.close();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
