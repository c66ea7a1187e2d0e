/**
 * `node --expose-gc --import ./scripts/ts-loader.mjs bench/ws-deflate-memory.ts [sockets]` (issue 11 #6): RSS per
 * WebSocket with and without permessage-deflate, after every socket has received
 * a few 200-byte messages (so that each has made its zlib state). Server and
 * clients share this process: the figure covers the server's deflate context and
 * the client's inflate context. Loopback only, bounded, stops by itself.
 */
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { BENCH_LIMITS } from '../src/config.ts';
import { startLabServer } from '../src/server/create.ts';

const MESSAGES = 3;

async function rssPerSocket(sockets: number, deflate: boolean): Promise<number> {
  const server = await startLabServer({ ...BENCH_LIMITS, port: 0, host: '127.0.0.1', serveWeb: false, wsPerMessageDeflate: deflate });
  try {
    const session = await fetch(`${server.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"probe"}' });
    const { token } = (await session.json()) as { token: string };
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const before = process.memoryUsage().rss;
    const open: WebSocket[] = [];
    let frames = 0;
    for (let i = 0; i < sockets; i += 1) {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=${token}`, { perMessageDeflate: deflate });
      await once(ws, 'open');
      const subscribed = once(ws, 'message');
      ws.send(JSON.stringify({ op: 'subscribe', topics: ['room:probe'], ref: 's' }));
      await subscribed;
      ws.on('message', () => { frames += 1; });
      open.push(ws);
    }
    for (let k = 0; k < MESSAGES; k += 1) {
      await fetch(`${server.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ topic: 'room:probe', body: `message ${k} `.padEnd(200, 'x') }),
      });
    }
    const deadline = Date.now() + 30_000;
    while (frames < sockets * MESSAGES && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    if (frames < sockets * MESSAGES) throw new Error(`only ${frames} of ${sockets * MESSAGES} messages arrived`);
    gc?.();
    const perSocket = (process.memoryUsage().rss - before) / sockets;
    for (const ws of open) ws.terminate();
    return perSocket;
  } finally {
    await server.close();
  }
}

const sockets = Math.min(2_000, Math.max(10, Number(process.argv[2] ?? 400)));
for (const deflate of [false, true]) {
  const bytes = await rssPerSocket(sockets, deflate);
  process.stdout.write(`permessage-deflate ${deflate ? 'on ' : 'off'}: ${(bytes / 1024).toFixed(1)} KiB RSS per socket (${sockets} sockets, server and clients in one process)\n`);
}
