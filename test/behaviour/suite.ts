import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TransportName } from '../../src/protocol/index.ts';
import type { ClientOptions } from '../../src/client/index.ts';
import type { MessageBus } from '../../src/bus/index.ts';
import {
  ClientPool, createSessionRaw, eventually, publishRaw, range, startServer as startPlainServer,
} from './harness.ts';
import type { StartOptions } from '../../src/server/create.ts';
import { startDelayProxy } from '../../src/net/delay-proxy.ts';
import { errorCases } from './error-cases.ts';
import type { SuiteServer } from './suite-shared.ts';

export type { SuiteServer } from './suite-shared.ts';

/**
 * The one behaviour suite (STYLE habit 1, after hono's common.case.test.ts):
 * every transport runs the same cases through its client against a real
 * server. A transport that skips a case names it in `skip` with the reason.
 *
 * Codes of PROTOCOL.md that no well-behaved client can provoke are tested by
 * the server's own tests instead: `slow_consumer` (a client that stops
 * reading) and a frame over the WebSocket frame limit (our client only sends
 * what it was given; a body over maxBodyBytes is covered here).
 */
export interface RunTestOptions {
  transport: TransportName;
  /** Case name → why this transport skips it. */
  skip?: Record<string, string>;
  /**
   * A bus for each server the suite starts (default: each server's own
   * in-memory bus), made with that server's history size; the suite closes it
   * after its server. For running the cases over another bus adapter.
   */
  newBus?: (options: { historyPerTopic?: number }) => Promise<MessageBus>;
  /** Client options every client of the suite gets (e.g. `conditional: true` for short polling), named in the title. */
  clientOptions?: Partial<ClientOptions>;
  /** Server options every server of the suite starts with (e.g. compression), named in the title; a case's own overrides win. */
  serverOptions?: StartOptions;
  /**
   * Starts what the cases talk to, in place of one in-process server: e.g.
   * several nodes behind a proxy (test/cluster/). Given the options a case
   * would start its server with; the suite closes it.
   */
  newServer?: (overrides: StartOptions) => Promise<SuiteServer>;
  /**
   * Run this transport's cases at the same time as the file's other suites
   * (each has its own servers, client pool and rooms); its own cases still run
   * one after another. For files that run the suite over several transports:
   * the cases mostly wait on the network and on heartbeats.
   */
  alongside?: boolean;
}

export function runTest({ transport, skip = {}, newBus, clientOptions, serverOptions = {}, newServer, alongside = false }: RunTestOptions): void {
  /** Buses from `newBus`, closed after the suite's servers. */
  const buses: MessageBus[] = [];
  /** A server as harness.ts starts it (or `newServer` does), over a bus from `newBus` when given. */
  const startServer = async (caseOverrides: StartOptions = {}): Promise<SuiteServer> => {
    const overrides = { ...serverOptions, ...caseOverrides };
    if (newServer) return newServer(overrides);
    if (!newBus) return startPlainServer(overrides);
    const bus = await newBus({ historyPerTopic: overrides.historyPerTopic });
    buses.push(bus);
    return startPlainServer({ ...overrides, bus });
  };

  /** `it`, or `it.skip` with the reason in the title when this transport skips the case. */
  const test = (name: string, body: () => Promise<void>, timeoutMs?: number): void => {
    const reason = skip[name];
    if (reason) it.skip(`${name} — skipped: ${reason}`, body);
    // In order even when the suite runs alongside others: the cases share a server and a client pool.
    else it.sequential(name, body, timeoutMs);
  };

  const variant = (clientOptions ? ` ${JSON.stringify(clientOptions)}` : '') +
    (Object.keys(serverOptions).length > 0 ? ` server ${JSON.stringify(serverOptions)}` : '');
  describe(`behaviour over ${transport}${variant}`, { concurrent: alongside }, () => {
    let server: SuiteServer;
    const pool = new ClientPool(transport, clientOptions);

    beforeAll(async () => {
      // A small answer limit, so that catching up takes several answers (`more`).
      server = await startServer({ pollLimitDefault: 10 });
    });
    afterEach(async () => {
      await pool.closeAll();
    });
    afterAll(async () => {
      await server.close();
      await Promise.all(buses.splice(0).map((bus) => bus.close()));
    });

    const room = (): string => `room:${pool.name('r')}`;

    test('broadcasts a room to every member in seq order', async () => {
      const topic = room();
      const members = [
        await pool.join(server.url, 'alice', [topic]),
        await pool.join(server.url, 'bob', [topic]),
        await pool.join(server.url, 'carol', [topic]),
      ];
      const [alice, bob] = members;
      const sent = await Promise.all(
        range(1, 6).flatMap((i) => [
          alice.client.publish(topic, `a${i}`),
          bob.client.publish(topic, `b${i}`),
        ]),
      );
      const fromBySeq = new Map(sent.map((result, i) => [result.seq, i % 2 === 0 ? alice.client.name : bob.client.name]));
      for (const member of members) {
        await eventually(() => member.of(topic).length >= 12, `${member.client.name} to get 12 messages`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const member of members) {
        expect(member.seqs(topic)).toEqual(range(1, 12));
        expect(member.of(topic).map((m) => m.from)).toEqual(range(1, 12).map((seq) => fromBySeq.get(seq)));
        expect(member.gaps).toEqual([]);
      }
    });

    test('delivers a direct message only to its recipient', async () => {
      const alice = await pool.join(server.url, 'alice');
      const bob = await pool.join(server.url, 'bob');
      const carol = await pool.join(server.url, 'carol');
      for (const member of [alice, bob, carol]) await member.client.subscribe([`user:${member.client.name}`]);
      await alice.client.publish(`user:${bob.client.name}`, 'for bob only');
      await alice.client.publish(`user:${carol.client.name}`, 'for carol');
      await eventually(() => bob.messages.length >= 1 && carol.messages.length >= 1, 'both inboxes');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(bob.messages.map((m) => [m.topic, m.body, m.from])).toEqual([[`user:${bob.client.name}`, 'for bob only', alice.client.name]]);
      expect(carol.messages.map((m) => m.body)).toEqual(['for carol']);
      expect(alice.messages).toEqual([]);
    });

    test('sets from from the session, never from the client', async () => {
      const topic = room();
      const reader = await pool.join(server.url, 'reader', [topic]);
      const mallory = await createSessionRaw(server.url, pool.name('mallory'));
      const forged = await publishRaw(transport, server.url, mallory.token, { topic, body: 'forged', from: 'alice' });
      const honest = await pool.join(server.url, 'honest');
      await honest.client.publish(topic, 'honest');
      await eventually(() => reader.bodies(topic).includes('honest'), 'the honest message');
      const received = reader.of(topic).map((m) => [m.body, m.from]);
      // Refusing the extra field would be as good as ignoring it; taking it would not.
      if (forged.ok) expect(received).toEqual([['forged', mallory.name], ['honest', honest.client.name]]);
      else expect(received).toEqual([['honest', honest.client.name]]);
    });

    test('resumes after dropped connections with nothing lost and nothing twice', async () => {
      const topic = room();
      const proxy = await startDelayProxy({ targetHost: '127.0.0.1', targetPort: server.port, oneWayDelayMs: 0 });
      try {
        const reader = await pool.join(proxy.url, 'reader', [topic]);
        const writer = await pool.join(server.url, 'writer');
        const total = 45;
        let acceptedBeforeDrops = 0;
        for (let i = 1; i <= total; i += 1) {
          await writer.client.publish(topic, `m${i}`);
          if (i === 15) acceptedBeforeDrops = proxy.accepted();
          if (i % 15 === 0 && i < total) proxy.dropAll();
          await new Promise((resolve) => setTimeout(resolve, 8));
        }
        await eventually(() => reader.bodies(topic).includes(`m${total}`), 'the last message through the drops', 20_000);
        await new Promise((resolve) => setTimeout(resolve, 150));
        expect(reader.seqs(topic)).toEqual(range(1, total));
        expect(reader.bodies(topic)).toEqual(range(1, total).map((i) => `m${i}`));
        expect(reader.gaps).toEqual([]);
        expect(proxy.accepted()).toBeGreaterThan(acceptedBeforeDrops);
        expect(reader.client.state).toBe('connected');
      } finally {
        await proxy.close();
      }
    }, 30_000);

    test('notices a connection dropped in silence (no FIN, no RST) by heartbeat and resumes with nothing lost', async () => {
      // Its own server, with a keep-alive comment every 100 ms, so that the SSE client's idle timeout can be short.
      const quiet = await startServer({ sseKeepAliveMs: 100 });
      const proxy = await startDelayProxy({ targetHost: '127.0.0.1', targetPort: quiet.port, oneWayDelayMs: 0 });
      try {
        const topic = room();
        const heartbeats = { requestTimeoutMs: 500, longPollSlackMs: 500, sseIdleTimeoutMs: 400, wsPingIntervalMs: 150, wsPongTimeoutMs: 250 };
        const reader = await pool.join(proxy.url, 'reader', [topic], heartbeats);
        const writer = await pool.join(quiet.url, 'writer');
        for (const i of range(1, 5)) await writer.client.publish(topic, `m${i}`);
        await eventually(() => reader.of(topic).length === 5, 'five messages before the drop');
        const acceptedBeforeDrop = proxy.accepted();
        // A NAT forgets every connection: nothing passes either way, and no side hears a FIN or RST.
        proxy.silenceAll();
        for (const i of range(6, 10)) await writer.client.publish(topic, `m${i}`);
        await eventually(() => reader.bodies(topic).includes('m10'), 'the messages published after the silent drop', 8_000);
        await new Promise((resolve) => setTimeout(resolve, 150));
        expect(reader.seqs(topic)).toEqual(range(1, 10));
        expect(reader.bodies(topic)).toEqual(range(1, 10).map((i) => `m${i}`));
        expect(reader.gaps).toEqual([]);
        expect(reader.states).toContain('reconnecting');
        expect(proxy.stats().silenced).toBeGreaterThanOrEqual(1);
        expect(proxy.accepted()).toBeGreaterThan(acceptedBeforeDrop);
        expect(reader.client.state).toBe('connected');
      } finally {
        await pool.closeAll();
        await proxy.close();
        await quiet.close();
      }
    }, 30_000);

    test('resumes from a cursor given to subscribe', async () => {
      const topic = room();
      const writer = await pool.join(server.url, 'writer');
      const first = await pool.join(server.url, 'first', [topic]);
      for (const body of ['one', 'two', 'three']) await writer.client.publish(topic, body);
      await eventually(() => first.of(topic).length === 3, 'three messages');
      const cursor = first.client.cursor;
      expect(cursor).toEqual(expect.any(String));
      await first.client.close();
      for (const body of ['four', 'five']) await writer.client.publish(topic, body);
      const second = await pool.join(server.url, 'second');
      await second.client.subscribe([topic], { cursor });
      await eventually(() => second.of(topic).length >= 2, 'the two missed messages');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(second.bodies(topic)).toEqual(['four', 'five']);
      expect(second.seqs(topic)).toEqual([4, 5]);
    });

    test('replays a backlog when asked, then goes live', async () => {
      const topic = room();
      const writer = await pool.join(server.url, 'writer');
      for (const i of range(1, 5)) await writer.client.publish(topic, `old${i}`);
      const reader = await pool.join(server.url, 'reader');
      await reader.client.subscribe([topic], { backlog: 2 });
      await writer.client.publish(topic, 'new');
      await eventually(() => reader.of(topic).length >= 3, 'backlog and the new message');
      expect(reader.bodies(topic)).toEqual(['old4', 'old5', 'new']);
    });

    test('catches up on more than one answer holds, in order', async () => {
      const topic = room();
      const writer = await pool.join(server.url, 'writer');
      const total = server.options.pollLimitDefault * 3 + 4;
      for (const i of range(1, total)) await writer.client.publish(topic, `m${i}`);
      const reader = await pool.join(server.url, 'reader');
      await reader.client.subscribe([topic], { backlog: total });
      await eventually(() => reader.bodies(topic).includes(`m${total}`), 'the whole backlog');
      expect(reader.seqs(topic)).toEqual(range(1, total));
    });

    test('recovers when the server restarts, reporting the lost history as a gap', async () => {
      const first = await startServer();
      const port = first.port;
      let second: SuiteServer | undefined;
      try {
        const topic = room();
        const reader = await pool.join(first.url, 'reader', [topic]);
        const writer = await pool.join(first.url, 'writer');
        await writer.client.publish(topic, 'before');
        await eventually(() => reader.bodies(topic).includes('before'), 'the message before the restart');
        await first.close();
        await eventually(() => reader.states.includes('reconnecting'), 'the client to notice the server is gone');
        // A new process on the same port: new bus epoch, new token secret, no sessions.
        second = await startServer({ port });
        await eventually(() => reader.client.state === 'connected', 'the client to come back', 15_000);
        const newWriter = await pool.join(second.url, 'writer2');
        await newWriter.client.publish(topic, 'after');
        await eventually(() => reader.bodies(topic).includes('after'), 'the message after the restart', 15_000);
        expect(reader.bodies(topic)).toEqual(['before', 'after']);
        expect(reader.gaps.map((gap) => gap.reason)).toContain('restarted');
      } finally {
        await pool.closeAll();
        await first.close();
        await second?.close();
      }
    }, 30_000);

    test('reports a trimmed history as a gap with the exact missing range', async () => {
      const small = await startServer({ historyPerTopic: 5 });
      try {
        const topic = room();
        const writer = await pool.join(small.url, 'writer');
        const first = await pool.join(small.url, 'first', [topic]);
        await writer.client.publish(topic, 'seen');
        await eventually(() => first.of(topic).length === 1, 'the first message');
        const cursor = first.client.cursor;
        await first.client.close();
        for (const i of range(2, 21)) await writer.client.publish(topic, `m${i}`);
        const second = await pool.join(small.url, 'second');
        await second.client.subscribe([topic], { cursor });
        await eventually(() => second.of(topic).length >= 5, 'the five messages still held');
        expect(second.gaps).toEqual([{ topic, from: 2, to: 16, reason: 'trimmed' }]);
        expect(second.seqs(topic)).toEqual(range(17, 21));
      } finally {
        await pool.closeAll();
        await small.close();
      }
    });

    test('stores and delivers a publish repeated with the same id once', async () => {
      const topic = room();
      const reader = await pool.join(server.url, 'reader', [topic]);
      const writer = await pool.join(server.url, 'writer');
      const first = await writer.client.publish(topic, 'once', 'dup-1');
      const again = await writer.client.publish(topic, 'once', 'dup-1');
      const next = await writer.client.publish(topic, 'after');
      expect(again.seq).toBe(first.seq);
      expect(again.id).toBe('dup-1');
      expect(next.seq).toBe(first.seq + 1);
      await eventually(() => reader.bodies(topic).includes('after'), 'the message after the duplicate');
      expect(reader.bodies(topic)).toEqual(['once', 'after']);
    });

    describe('errors', () => {
      errorCases({ test, pool, server: () => server, startServer, room });
    });
  });
}
