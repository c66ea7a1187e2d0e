import { once } from 'node:events';
import { WebSocket } from 'ws';
import { startLabServer, type LabServer, type StartOptions } from '../../src/server/create.ts';
import type { ServerFrame } from '../../src/protocol/index.ts';

/** Servers started by a test file; `closeAll` in afterEach/afterAll closes them. */
const open = new Set<LabServer>();

export async function startServer(options: StartOptions = {}): Promise<LabServer> {
  const server = await startLabServer({ port: 0, host: '127.0.0.1', serveWeb: false, ...options });
  open.add(server);
  return server;
}

export async function closeAll(): Promise<void> {
  const servers = [...open];
  open.clear();
  await Promise.all(servers.map((server) => server.close()));
}

export interface TestSession {
  name: string;
  token: string;
  cookie: string;
  auth: Record<string, string>;
}

export async function createSession(server: LabServer, name: string): Promise<TestSession> {
  const res = await fetch(`${server.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (res.status !== 201) throw new Error(`session ${name}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { name: string; token: string };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  return { name: body.name, token: body.token, cookie, auth: { authorization: `Bearer ${body.token}` } };
}

export async function publish(
  server: LabServer,
  session: TestSession,
  body: unknown,
  query = '',
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(`${server.url}/api/messages${query}`, {
    method: 'POST',
    headers: { ...session.auth, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

export async function getJson(
  server: LabServer,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, { headers });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** A WebSocket client that queues the frames it receives. */
export class TestSocket {
  readonly frames: ServerFrame[] = [];
  #waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as ServerFrame);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  static async open(server: LabServer, session: TestSession | undefined, headers: Record<string, string> = {}): Promise<TestSocket> {
    const query = session ? `?token=${encodeURIComponent(session.token)}` : '';
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws${query}`, { headers });
    const socket = new TestSocket(ws);
    await once(ws, 'open');
    return socket;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Resolves with the first received frame (consumed) that matches. */
  async next(match: (frame: ServerFrame) => boolean = () => true, timeoutMs = 5_000): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(match);
      if (index >= 0) return this.frames.splice(index, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async closed(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.CLOSED) throw new Error('already closed');
    const [code, reason] = (await once(this.ws, 'close')) as [number, Buffer];
    return { code, reason: reason.toString() };
  }
}

export { eventually } from '../wait.ts';
