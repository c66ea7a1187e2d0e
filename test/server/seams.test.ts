import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createLabMount } from '../../src/lab/mount.ts';
import { closeAll, createSession, eventually, startServer, TestSocket } from './helpers.ts';

afterEach(closeAll);

const TRANSPORTS_DIR = join(import.meta.dirname, '../../src/transports');
const SRC_DIR = join(import.meta.dirname, '../../src');

/** Every .ts file under `dir`, as paths relative to it. */
function sourceFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((file) => file.endsWith('.ts'));
}

/** Issue 9 #1, #3 and #6: the seams between transports, server and lab. */
describe('seams', () => {
  it('no transport imports the server, the lab or the bench (they get what they need through TransportContext)', () => {
    const crossings: string[] = [];
    for (const file of readdirSync(TRANSPORTS_DIR)) {
      const text = readFileSync(join(TRANSPORTS_DIR, file), 'utf8');
      for (const [line] of text.matchAll(/^(?:import|export)[^;]*from '[^']*(?:\.\.\/server|\.\.\/lab|bench\/)[^']*';$/gm)) {
        crossings.push(`${file}: ${line}`);
      }
    }
    expect(crossings).toEqual([]);
  });

  it('nothing in src/ imports bench/ (the results contract lives in src/results)', () => {
    const crossings: string[] = [];
    for (const file of sourceFiles(SRC_DIR)) {
      const text = readFileSync(join(SRC_DIR, file), 'utf8');
      for (const [line] of text.matchAll(/^(?:import|export)[^;]*from '[^']*bench\/[^']*';$/gm)) crossings.push(`${file}: ${line}`);
    }
    expect(sourceFiles(SRC_DIR).length).toBeGreaterThan(50);
    expect(crossings).toEqual([]);
  });

  it('answers an upgrade on an unknown path with 404 not_found, as JSON', async () => {
    const server = await startServer();
    const { RawWebSocket } = await import('./raw-ws.ts');
    const raw = await RawWebSocket.open(server.url, '/elsewhere');
    expect(raw.handshake).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(raw.handshake).toMatch(/content-type: application\/json/i);
    const body = await eventually(() => raw.received.toString(), (text) => text.endsWith('}'));
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'not_found' } });
    raw.destroy();
  });

  it('the lab routes answer errors with the one error writer (same code-to-status, same headers as the hot paths)', async () => {
    const server = await startServer({ mount: createLabMount({ resultsDir: join(tmpdir(), 'transport-lab-no-such-results') }) });
    const hot = await fetch(`${server.url}/api/poll?topics=room:a`);
    const lab = await fetch(`${server.url}/api/lab/results/no-such-run.json`);
    expect(hot.status).toBe(401);
    expect(lab.status).toBe(404);
    expect(await lab.json()).toMatchObject({ error: { code: 'not_found' } });
    for (const header of ['content-type', 'cache-control']) expect(lab.headers.get(header), header).toBe(hot.headers.get(header));
    const refused = await fetch(`${server.url}/api/lab/network`, { headers: { origin: 'https://elsewhere.example' } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });

  it('runs onClose hooks before the server stops, and the lab registers one rather than replacing close()', async () => {
    const seen: string[] = [];
    const server = await startServer({
      mount: (_app, lab) => {
        lab.onClose(async () => {
          // Still serving: the bus answers and the server still listens.
          await lab.bus.publish({ topic: 'room:bye', from: 'lab', body: 'closing' });
          seen.push(`hook, listening=${lab.httpServer.listening}`);
        });
      },
    });
    const close = server.close;
    createLabMount()(express(), server);
    expect(server.close).toBe(close);
    await server.close();
    seen.push('closed');
    expect(seen).toEqual(['hook, listening=true', 'closed']);
  });

  it('a WebSocket handshake that ws refuses gives the session its hold back', async () => {
    const server = await startServer({ maxHeldPerSession: 1 });
    const alice = await createSession(server, 'alice');
    const { RawWebSocket } = await import('./raw-ws.ts');
    for (let i = 0; i < 3; i++) {
      // Admitted (a hold taken), then refused by ws itself: a bad version is a 400 before any upgrade.
      const bad = await RawWebSocket.open(server.url, `/ws?token=${encodeURIComponent(alice.token)}`, { 'Sec-WebSocket-Version': '99' });
      expect(bad.handshake).toMatch(/^HTTP\/1\.1 400/);
      bad.destroy();
    }
    const good = await eventually(async () => {
      const socket = await TestSocket.open(server, alice);
      socket.send({ op: 'subscribe', topics: ['room:a'] });
      const frame = await Promise.race([socket.next((f) => f.op === 'subscribed'), socket.closed().then(() => undefined)]);
      if (frame === undefined) return undefined;
      return socket;
    }, (socket) => socket !== undefined);
    expect(good?.ws.readyState).toBe(good?.ws.OPEN);
    good?.ws.close();
  });
});
