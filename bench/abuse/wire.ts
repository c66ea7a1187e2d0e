/**
 * The attacker's tools: plain node:http requests and raw sockets from a chosen
 * loopback address, with nothing in between that could soften what the server
 * sees (no retries, no keep-alive pool, no reading unless asked).
 */
import http from 'node:http';
import net from 'node:net';
import type { StatsSnapshot } from '../../src/protocol/index.ts';

/** The attacker's address. The legitimate attendee is elsewhere (attendee.ts). */
export const ATTACKER_ADDRESS = '127.0.0.1';
/** Where the harness itself asks (stats, healthz): neither the attacker nor the attendee. */
export const OBSERVER_ADDRESS = '127.0.0.3';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The error code of a `{"error":{"code":…}}` body, if it is one. */
  code: string | undefined;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  from?: string;
}

export function request(url: string, path: string, options: RequestOptions = {}): Promise<Answer> {
  const base = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: base.hostname,
      port: base.port,
      path,
      method: options.method ?? 'GET',
      headers: options.headers,
      localAddress: options.from ?? ATTACKER_ADDRESS,
      agent: false,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, code: errorCode(text) });
      });
    });
    req.end(options.body);
  });
}

export function errorCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

export interface Credentials {
  name: string;
  token: string;
  cookie: string;
}

/** POSTs `body` as JSON; `options.headers` go beside the content type. */
export function postJson(url: string, path: string, body: unknown, options: Omit<RequestOptions, 'method' | 'body'> = {}): Promise<Answer> {
  return request(url, path, {
    ...options,
    method: 'POST',
    headers: { ...options.headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** POST /api/session as a well-behaved page would, whatever the answer (a claim that may be refused). */
export function requestSession(url: string, name: string, from = ATTACKER_ADDRESS): Promise<Answer> {
  return postJson(url, '/api/session', { name }, { from });
}

/** POST /api/session as a well-behaved page would; throws with the answer when refused. */
export async function createSession(url: string, name: string, from = ATTACKER_ADDRESS): Promise<Credentials> {
  const answer = await requestSession(url, name, from);
  if (answer.status !== 201) throw new Error(`session ${name}: ${answer.status} ${answer.text}`);
  const cookie = String(answer.headers['set-cookie']?.[0] ?? '').split(';')[0];
  return { name, token: (JSON.parse(answer.text) as { token: string }).token, cookie };
}

export function bearer(credentials: Credentials): Record<string, string> {
  return { authorization: `Bearer ${credentials.token}` };
}

export async function stats(url: string): Promise<StatsSnapshot> {
  const answer = await request(url, '/api/stats', { from: OBSERVER_ADDRESS });
  return JSON.parse(answer.text) as StatsSnapshot;
}

/** `/healthz` from an address that took part in nothing: the status, or 0 when the connection failed. */
export async function healthz(url: string): Promise<number> {
  return request(url, '/healthz', { from: OBSERVER_ADDRESS }).then((answer) => answer.status, () => 0);
}

/** A raw TCP connection from `from`, open once connected. */
export function connect(url: string, from = ATTACKER_ADDRESS): Promise<net.Socket> {
  const base = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: base.hostname, port: Number(base.port), localAddress: from });
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => socket.destroy());
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Polls `read` until `check` holds, or gives the last value back after `limit` tries (no wall-clock sleep as sync: each try is a real request). */
export async function until<T>(read: () => Promise<T>, check: (value: T) => boolean, tries = 250, pauseMs = 20): Promise<T> {
  let value = await read();
  for (let n = 1; n < tries && !check(value); n += 1) {
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    value = await read();
  }
  return value;
}

/** Adds one to `counts[key]`. */
export function tally(counts: Record<string, number>, key: string | number | undefined): void {
  const name = String(key ?? 'none');
  counts[name] = (counts[name] ?? 0) + 1;
}

/** Runs `work(i)` for i < count with at most `width` in flight. */
export async function inWaves(count: number, width: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, lane));
}

/**
 * Publishes `count` messages over HTTP keep-alive from `from`, `width` at a
 * time; returns the answers' codes by count (`201` for accepted ones).
 */
export async function publishMany(
  url: string, credentials: Credentials, count: number, message: (index: number) => { topic: string; body: string },
  options: { width?: number; from?: string } = {},
): Promise<Record<string, number>> {
  const base = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.width ?? 8, localAddress: options.from ?? ATTACKER_ADDRESS });
  const answers: Record<string, number> = {};
  try {
    await inWaves(count, options.width ?? 8, (index) => new Promise<void>((resolve) => {
      const payload = Buffer.from(JSON.stringify(message(index)));
      const req = http.request({
        agent, host: base.hostname, port: base.port, method: 'POST', path: '/api/messages',
        headers: { ...bearer(credentials), 'content-type': 'application/json', 'content-length': String(payload.length) },
      });
      req.on('error', () => {
        tally(answers, 'connection_failed');
        resolve();
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          tally(answers, res.statusCode === 201 ? 201 : errorCode(Buffer.concat(chunks).toString()) ?? res.statusCode);
          resolve();
        });
      });
      req.end(payload);
    }));
  } finally {
    agent.destroy();
  }
  return answers;
}

/** Sends a request head on a raw socket and resolves with the socket once the response head has arrived (status, and the bytes so far). */
export async function openRaw(url: string, head: string, from = ATTACKER_ADDRESS): Promise<{ socket: net.Socket; status: number; text: string }> {
  const socket = await connect(url, from);
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve({ socket, status: Number(text.slice(9, 12)), text });
    };
    const onClose = (): void => {
      socket.off('data', onData);
      resolve({ socket, status: 0, text });
    };
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write(head);
  });
}

/**
 * Sends the same request head on `count` raw sockets, one after another, and
 * never reads the answers (the kernel's buffers fill, then the server's); the
 * caller destroys the sockets. Answers other than 200 are tallied by status.
 */
export async function openUnread(url: string, head: string, count: number): Promise<{ sockets: net.Socket[]; opened: number; refusals: Record<string, number> }> {
  const sockets: net.Socket[] = [];
  const refusals: Record<string, number> = {};
  let opened = 0;
  for (let n = 0; n < count; n += 1) {
    const answer = await openRaw(url, head);
    answer.socket.pause();
    sockets.push(answer.socket);
    if (answer.status === 200) opened += 1;
    else tally(refusals, answer.status);
  }
  return { sockets, opened, refusals };
}

export function requestHead(path: string, credentials?: Credentials, extra: Record<string, string> = {}): string {
  const headers = { host: 'lab', ...(credentials ? bearer(credentials) : {}), ...extra };
  return `GET ${path} HTTP/1.1\r\n${Object.entries(headers).map(([key, value]) => `${key}: ${value}\r\n`).join('')}\r\n`;
}
