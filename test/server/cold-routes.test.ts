import { existsSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../src/server/cold-app.ts';
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
    expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('answers an upgrade on another path with 404', async () => {
    const server = await startServer();
    const { RawWebSocket } = await import('./raw-ws.ts');
    const raw = await RawWebSocket.open(server.url, '/elsewhere');
    expect(raw.handshake).toMatch(/^HTTP\/1\.1 404/);
    raw.destroy();
  });

  it('answers requests on sockets over maxConnections with 503 too_many_connections (but /healthz still answers)', async () => {
    const server = await startServer({ maxConnections: 1 });
    const holder = net.connect(server.port, '127.0.0.1');
    await once(holder, 'connect');
    const res = await fetch(`${server.url}/api/stats`);
    expect(res.status).toBe(503);
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.json()).toMatchObject({ error: { code: 'too_many_connections' } });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    holder.destroy();
    await eventually(async () => (await fetch(`${server.url}/api/stats`)).status, (status) => status === 200);
  });

  it('stops accepting connections once closed', async () => {
    const server = await startServer();
    await server.close();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});

// The app is built by `npm run build` of web/ (another part of the project); without it there is nothing to serve.
describe.runIf(existsSync(join(WEB_DIST, 'index.html')))('the web app from web/dist', () => {
  it('serves index.html at / and for the app\'s own routes, never for /api', async () => {
    const server = await startServer({ serveWeb: true });
    const root = await fetch(`${server.url}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toMatch(/text\/html/);
    const deep = await fetch(`${server.url}/some/app/route`, { headers: { accept: 'text/html' } });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(await (await fetch(`${server.url}/index.html`)).text());
    expect((await fetch(`${server.url}/api/nothing`, { headers: { accept: 'text/html' } })).status).toBe(404);
  });

  it('serves nothing from web/dist when serveWeb is off', async () => {
    const server = await startServer({ serveWeb: false });
    expect((await fetch(`${server.url}/`)).status).toBe(404);
  });
});

describe('startLabServer', () => {
  it('fails with the listen error (port in use) and rejects bad options by name', async () => {
    const server = await startServer();
    await expect(startServer({ port: server.port })).rejects.toThrow(/EADDRINUSE/);
    await expect(startServer({ maxBodyBytes: -1 })).rejects.toThrow(/maxBodyBytes/);
  });
});
