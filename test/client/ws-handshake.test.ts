import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.ts';

/**
 * A handshake refused with a plain HTTP answer (the lab does this for a foreign
 * Origin; a proxy may for anything): in Node the client reads the JSON body and
 * rejects with the server's code instead of retrying blindly.
 */
describe('ws client: a refused handshake', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  async function refusingServer(status: number, code: string): Promise<{ url: string; upgrades: () => number }> {
    let upgrades = 0;
    const server = http.createServer((_req, res) => res.end());
    server.on('upgrade', (_req, socket) => {
      upgrades += 1;
      const body = JSON.stringify({ error: { code, message: `refused: ${code}` } });
      socket.end(
        `HTTP/1.1 ${status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Connection: close\r\n\r\n${body}`,
      );
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, upgrades: () => upgrades };
  }

  it('rejects connect() with the code of a final refusal, trying once', async () => {
    const { url, upgrades } = await refusingServer(403, 'forbidden');
    const client = createClient('ws', { baseUrl: url, token: 't', backoff: { minMs: 1, maxMs: 5 } });
    await expect(client.connect()).rejects.toMatchObject({ code: 'forbidden', message: 'refused: forbidden' });
    expect(upgrades()).toBe(1);
    await client.close();
  });

  it('reports a 503 refusal with its code', async () => {
    const { url } = await refusingServer(503, 'too_many_connections');
    const client = createClient('ws', { baseUrl: url, token: 't' });
    await expect(client.connect()).rejects.toMatchObject({ code: 'too_many_connections' });
    await client.close();
  });
});
