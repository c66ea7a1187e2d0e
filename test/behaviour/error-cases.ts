import { expect } from 'vitest';
import type { LabError } from '../../src/protocol/index.ts';
import type { StartOptions } from '../../src/server/create.ts';
import { type ClientPool, Recorder, createSessionRaw, eventually, range } from './harness.ts';
import { rejection, type SuiteServer } from './suite-shared.ts';

/** What the error cases need of the suite that runs them (suite.ts). */
export interface ErrorCaseContext {
  test: (name: string, body: () => Promise<void>, timeoutMs?: number) => void;
  pool: ClientPool;
  /** The suite's server (started before the cases run). */
  server: () => SuiteServer;
  startServer: (overrides?: StartOptions) => Promise<SuiteServer>;
  room: () => string;
}

/**
 * The behaviour suite's error cases: each code of PROTOCOL.md that a
 * well-behaved client can provoke, and the client still working after it.
 */
export function errorCases({ test, pool, server, startServer, room }: ErrorCaseContext): void {
  test('bad_request: a malformed topic', async () => {
    const alice = await pool.join(server().url, 'alice');
    expect((await rejection(alice.client.subscribe(['room:bad topic!']))).code).toBe('bad_request');
    expect((await rejection(alice.client.publish('nowhere', 'x'))).code).toBe('bad_request');
    // The client is still usable.
    const topic = room();
    await alice.client.subscribe([topic]);
    await alice.client.publish(topic, 'still here');
    await eventually(() => alice.bodies(topic).includes('still here'), 'the client to keep working');
  });

  test('unauthorized: a token that fails its signature', async () => {
    const session = await createSessionRaw(server().url, pool.name('victim'));
    const forgedToken = `${session.token.slice(0, -2)}${session.token.endsWith('AA') ? 'BB' : 'AA'}`;
    const client = pool.create(server().url, { token: forgedToken });
    const recorder = new Recorder(client);
    const error = await rejection(client.connect().then(() => client.subscribe([room()])));
    expect(error.code).toBe('unauthorized');
    expect((await rejection(client.publish(room(), 'x'))).code).toBe('unauthorized');
    expect(recorder.messages).toEqual([]);
  });

  test("forbidden: another user's inbox", async () => {
    const bob = await pool.join(server().url, 'bob');
    const alice = await pool.join(server().url, 'alice');
    expect((await rejection(alice.client.subscribe([`user:${bob.client.name}`]))).code).toBe('forbidden');
  });

  test('unknown_user: a direct message to a name that never had a session', async () => {
    const alice = await pool.join(server().url, 'alice');
    expect((await rejection(alice.client.publish('user:nobody-ever-here', 'hello?'))).code).toBe('unknown_user');
    // The server stays up (the origin tutorial crashed here).
    const health = await fetch(`${server().url}/healthz`);
    expect(health.status).toBe(200);
  });

  test('name_taken: a name held by a live session', async () => {
    const alice = await pool.join(server().url, 'alice');
    const twin = pool.create(server().url, { name: alice.client.name });
    expect((await rejection(twin.connect())).code).toBe('name_taken');
  });

  test('payload_too_large: a body over maxBodyBytes', async () => {
    const topic = room();
    const alice = await pool.join(server().url, 'alice', [topic]);
    const tooBig = 'x'.repeat(server().options.maxBodyBytes + 1);
    expect((await rejection(alice.client.publish(topic, tooBig))).code).toBe('payload_too_large');
    await alice.client.publish(topic, 'small');
    await eventually(() => alice.bodies(topic).includes('small'), 'a normal publish after it');
    expect(alice.bodies(topic)).toEqual(['small']);
  });

  test('rate_limited: publishing faster than the allowance', async () => {
    const strict = await startServer({ publishRatePerSecond: 1, publishBurst: 3 });
    try {
      const topic = room();
      const alice = await pool.join(strict.url, 'alice');
      const outcomes: string[] = [];
      for (const i of range(1, 6)) {
        outcomes.push(await alice.client.publish(topic, `m${i}`).then(() => 'ok', (error: LabError) => error.code));
      }
      expect(outcomes.slice(0, 3)).toEqual(['ok', 'ok', 'ok']);
      expect(outcomes.slice(3)).toContain('rate_limited');
    } finally {
      await pool.closeAll();
      await strict.close();
    }
  });

  test('too_many_connections: over the held-request limit, then recovers', async () => {
    const tight = await startServer({ maxHeldRequests: 1, longPollWaitDefaultSeconds: 1 });
    try {
      const topic = room();
      const holder = await pool.join(tight.url, 'holder', [topic]);
      const waiter = await pool.join(tight.url, 'waiter');
      const subscribed = waiter.client.subscribe([topic]);
      await eventually(() => waiter.errors.some((e) => e.code === 'too_many_connections'), 'a too_many_connections error event');
      await holder.client.close();
      await subscribed;
      const writer = await pool.join(tight.url, 'writer');
      await writer.client.publish(topic, 'through');
      await eventually(() => waiter.bodies(topic).includes('through'), 'delivery once a slot is free', 15_000);
    } finally {
      await pool.closeAll();
      await tight.close();
    }
  }, 30_000);

  test('shutting_down: the client reconnects when the server stops', async () => {
    const doomed = await startServer();
    const topic = room();
    const reader = await pool.join(doomed.url, 'reader', [topic]);
    await doomed.close();
    await eventually(() => reader.states.includes('reconnecting'), 'the client to notice', 10_000);
    expect(reader.client.state).not.toBe('closed');
  });
}
