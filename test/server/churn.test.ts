import http from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { LabServer } from '../../src/server/create.ts';
import { TRANSPORT_NAMES } from '../../src/protocol/index.ts';
import { closeAll, createSession, eventually, startServer, type TestSession } from './helpers.ts';

afterEach(closeAll);

const CYCLES = 1_000;
const CONCURRENCY = 10;

/** Opens a WebSocket, subscribes, waits for `subscribed`, then drops the TCP connection. */
async function wsCycle(server: LabServer, session: TestSession): Promise<void> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=${encodeURIComponent(session.token)}`);
  await once(ws, 'open');
  ws.send(JSON.stringify({ op: 'subscribe', topics: ['room:churn', `user:${session.name}`] }));
  await once(ws, 'message');
  ws.terminate();
}

/** Opens an event stream, waits for its first event, then drops the connection. */
async function sseCycle(server: LabServer, session: TestSession): Promise<void> {
  const agent = new http.Agent({ keepAlive: false });
  await new Promise<void>((resolve, reject) => {
    const req = http.get(`${server.url}/api/events?topics=room:churn`, { headers: session.auth, agent }, (res) => {
      res.on('error', () => undefined);
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve() : reject(error)));
  });
  agent.destroy();
}

/** Opens one long poll per session, waits until the server holds them all, then drops them all. */
async function longPollRound(server: LabServer, sessions: TestSession[]): Promise<void> {
  const agent = new http.Agent({ keepAlive: false });
  const requests = sessions.map((session) => {
    const req = http.get(`${server.url}/api/longpoll?topics=room:churn&wait=30`, { headers: session.auth, agent });
    req.on('error', () => undefined);
    return req;
  });
  await eventually(() => server.stats().transports.longpoll.heldRequests, (held) => held === sessions.length);
  for (const req of requests) req.destroy();
  agent.destroy();
  await eventually(() => server.stats().transports.longpoll.heldRequests, (held) => held === 0);
}

describe('connect-then-drop churn', () => {
  it(`returns to zero open connections, held requests and subscriptions after ${CYCLES} cycles`, { timeout: 90_000 }, async () => {
    const server = await startServer({ maxHeldRequests: 1_000, publishRatePerSecond: 1_000, publishBurst: 1_000 });
    const sessions = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => createSession(server, `churn${i}`)));
    const wsCycles = 400;
    const sseCycles = 300;
    const longPollCycles = CYCLES - wsCycles - sseCycles;
    let next = 0;
    const worker = (count: number, cycle: (session: TestSession) => Promise<void>) => async (session: TestSession) => {
      while (next < count) {
        next += 1;
        await cycle(session);
      }
    };
    await Promise.all(sessions.map(worker(wsCycles, (session) => wsCycle(server, session))));
    next = 0;
    await Promise.all(sessions.map(worker(sseCycles, (session) => sseCycle(server, session))));
    for (let round = 0; round < longPollCycles / CONCURRENCY; round++) await longPollRound(server, sessions);
    const settled = await eventually(
      () => server.stats(),
      (stats) =>
        stats.bus.subscriptions === 0 &&
        TRANSPORT_NAMES.every((name) => stats.transports[name].openConnections === 0 && stats.transports[name].heldRequests === 0),
      10_000,
    );
    expect(settled.transports.ws.requests).toBe(wsCycles);
    expect(settled.transports.sse.requests).toBe(sseCycles);
    expect(settled.transports.longpoll.requests).toBe(longPollCycles);
    // The server still serves.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
