/**
 * What the lab's own tests share besides harness.ts: sessions made by hand
 * (so a test holds a pane's token), JSON calls with chosen headers, and a TCP
 * forwarder that makes a loopback server reachable on another loopback
 * address — standing for a student's laptop reaching the instructor's machine.
 */
import net from 'node:net';
import type { ServerOptions } from '../../src/config.ts';
import { createLabMount } from '../../src/lab/mount.ts';
import type { LabMountOptions } from '../../src/lab/mount.ts';
import type { SessionResponse } from '../../src/protocol/index.ts';
import { startLabServer } from '../../src/server/create.ts';
import type { LabServer } from '../../src/server/create.ts';

export async function newSession(baseUrl: string, name: string): Promise<SessionResponse> {
  const response = await fetch(`${baseUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (!response.ok) throw new Error(`POST /api/session: ${response.status}`);
  return (await response.json()) as SessionResponse;
}

export async function callJson<T>(
  baseUrl: string,
  method: 'GET' | 'POST',
  route: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: T }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, json: (await response.json()) as T };
}

export interface Forwarder {
  /** Connections accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

/** Listens on `host:port` and pipes each connection to `target:port` (same port). */
export async function forwardPort(host: string, port: number, target = '127.0.0.1'): Promise<Forwarder> {
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect({ host: target, port });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    accepted: () => accepted,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** A lab server on 127.0.0.1 port 0 with chosen lab options (harness.ts's startServer takes none). */
export function startLab(lab: LabMountOptions = {}, options: Partial<ServerOptions> = {}): Promise<LabServer> {
  return startLabServer({ port: 0, host: '127.0.0.1', log: false, ...options, mount: createLabMount(lab) });
}
