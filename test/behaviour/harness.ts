import { WebSocket } from 'ws';
import { createClient } from '../../src/client/index.ts';
import type { Client, ClientOptions, ClientState } from '../../src/client/index.ts';
import type { Gap, LabError, Message, SessionResponse, TransportName } from '../../src/protocol/index.ts';
import { startLabServer } from '../../src/server/create.ts';
import type { LabServer, StartOptions } from '../../src/server/create.ts';

/** Fast settings so the whole suite stays short: polls every 25 ms, long polls held 2 s. */
export const FAST: Partial<ClientOptions> = {
  pollIntervalMs: 25,
  longPollWaitSeconds: 2,
  backoff: { minMs: 10, maxMs: 200 },
};

/** Limits lifted where a case does not test them (the drop case publishes fast). */
export function startServer(overrides: StartOptions = {}): Promise<LabServer> {
  return startLabServer({
    host: '127.0.0.1',
    port: 0,
    publishRatePerSecond: 10_000,
    publishBurst: 10_000,
    serveWeb: false,
    log: false,
    ...overrides,
  });
}

/** Everything a client emitted, for assertions. */
export class Recorder {
  readonly messages: Message[] = [];
  readonly gaps: Gap[] = [];
  readonly errors: LabError[] = [];
  readonly states: ClientState[] = [];

  constructor(readonly client: Client) {
    client.on('message', (message) => this.messages.push(message));
    client.on('gap', (gap) => this.gaps.push(gap));
    client.on('error', (error) => this.errors.push(error));
    client.on('state', (state) => this.states.push(state));
  }

  of(topic: string): Message[] {
    return this.messages.filter((message) => message.topic === topic);
  }

  seqs(topic: string): number[] {
    return this.of(topic).map((message) => message.seq);
  }

  bodies(topic: string): string[] {
    return this.of(topic).map((message) => message.body);
  }
}

/** Clients made by one test, closed after it. */
export class ClientPool {
  private readonly clients: Client[] = [];
  private counter = 0;

  /** `defaults`: options every client of the pool gets, under the ones a call gives. */
  constructor(private readonly transport: TransportName, private readonly defaults: Partial<ClientOptions> = {}) {}

  /** A unique name per call (sessions hold names while live). */
  name(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${this.transport}-${this.counter}-${Math.random().toString(36).slice(2, 8)}`;
  }

  create(baseUrl: string, options: Partial<ClientOptions> = {}, transport = this.transport): Client {
    const client = createClient(transport, { baseUrl, ...FAST, ...this.defaults, ...options });
    this.clients.push(client);
    return client;
  }

  /** A connected client with a fresh name, its recorder, subscribed to `topics` when given. */
  async join(baseUrl: string, prefix: string, topics: string[] = [], options: Partial<ClientOptions> = {}): Promise<Recorder> {
    const client = this.create(baseUrl, { name: this.name(prefix), ...options });
    const recorder = new Recorder(client);
    await client.connect();
    if (topics.length > 0) await client.subscribe(topics);
    return recorder;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.close()));
  }
}

export { eventually } from '../wait.ts';

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

export async function createSessionRaw(baseUrl: string, name: string): Promise<SessionResponse> {
  const response = await fetch(`${baseUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (response.status !== 201) throw new Error(`session for ${name}: HTTP ${response.status}`);
  return (await response.json()) as SessionResponse;
}

export type RawPublishOutcome = { ok: true } | { ok: false; code: string };

/**
 * Publishes a hand-made payload on the transport's own send path, bypassing the
 * client (which has no way to set `from`): HTTP POST, or a frame on a raw socket.
 */
export async function publishRaw(
  transport: TransportName, baseUrl: string, token: string, payload: Record<string, unknown>,
): Promise<RawPublishOutcome> {
  if (transport !== 'ws') {
    const response = await fetch(`${baseUrl}/api/messages?via=${transport}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(payload),
    });
    if (response.status === 201) return { ok: true };
    const body = (await response.json()) as { error: { code: string } };
    return { ok: false, code: body.error.code };
  }
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const reply = new Promise<{ op: string; code?: string }>((resolve) => {
      socket.once('message', (data) => resolve(JSON.parse(data.toString()) as { op: string; code?: string }));
    });
    socket.send(JSON.stringify({ op: 'publish', ref: 'raw', ...payload }));
    const frame = await reply;
    return frame.op === 'ack' ? { ok: true } : { ok: false, code: frame.code ?? frame.op };
  } finally {
    socket.close();
  }
}
