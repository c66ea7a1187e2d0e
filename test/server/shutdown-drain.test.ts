import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, createSession, startServer } from './helpers.ts';
import { RawWebSocket } from './raw-ws.ts';

afterEach(closeAll);

describe('shutdown drain (issue 8 #10)', () => {
  it('keeps accepting while it drains and answers new connections 503 shutting_down with Retry-After and Connection: close', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    // A peer that never answers the close frame keeps the drain going (the WebSocket grace).
    const silent = await RawWebSocket.open(server.url, `/ws?token=${encodeURIComponent(alice.token)}`);
    expect(silent.handshake).toMatch(/^HTTP\/1\.1 101/);
    const closing = server.close();
    const res = await fetch(`${server.url}/api/stats`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.json()).toMatchObject({ error: { code: 'shutting_down' } });
    await closing;
    silent.destroy();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
