import { afterEach, describe, expect, it } from 'vitest';
import { Bus, connectBus } from '../../src/bus/index.ts';
import type { BusAdapter } from '../../src/bus/index.ts';
import { eventually } from '../wait.ts';
import { listen, range, rejection, StrictReceiver, yieldToOthers } from './adapter-suite-helpers.ts';

/**
 * The one bus-adapter conformance suite (STYLE habit 1, after hono's
 * common.case.test.ts, as test/behaviour/suite.ts is for transports): every
 * adapter runs these cases, directly and through the MessageBus over it. An
 * adapter that skips a case names it in `skip` with the reason.
 */
export interface AdapterBackend {
  /**
   * A new adapter — a node — on this backend, not yet connected. Whether two
   * adapters of one backend share its history is `shared`.
   */
  newAdapter(options: { historyPerTopic?: number }): BusAdapter;
  /** True when adapters of this backend share history, epoch and users (a networked backend). */
  readonly shared: boolean;
  /** The backend forgets all it stored (Redis restarted without its data). Nothing to do for memory. */
  loseData(): Promise<void>;
  /** Removes what the backend left behind (its keys); called after every adapter was closed. */
  dispose(): Promise<void>;
}

export interface AdapterSuiteOptions {
  name: string;
  /** A fresh, empty backend for one test (e.g. a random key prefix). */
  newBackend(): Promise<AdapterBackend>;
  /** Case name → why this adapter skips it. */
  skip?: Record<string, string>;
}

/** The case names, for `skip`. */
export const ADAPTER_CASES = {
  seqs: 'numbers seqs without holes under concurrent publishers',
  idempotent: 'stores an id once: the same id again is a duplicate and stores nothing',
  exact: 'gives back every field as published, byte for byte, stored and live',
  trimming: 'trims to the history size and reports exact gaps',
  epoch: 'a backend that lost its data is a new epoch: an older cursor gets `restarted`',
  catchUpThenLive: 'catch-up then live: nothing lost, nothing twice, while publishers keep publishing',
  knownUsers: 'remembers the names that held a session',
  nodes: 'a second node shares the history, the epoch, the users and the live messages',
  close: 'after close no listener is called and every operation rejects with unavailable',
} as const;

export function runAdapterSuite({ name, newBackend, skip = {} }: AdapterSuiteOptions): void {
  const test = (title: string, body: () => Promise<void>, timeoutMs?: number): void => {
    const reason = skip[title];
    if (reason) it.skip(`${title} — skipped: ${reason}`, body);
    else it(title, body, timeoutMs);
  };

  describe(`bus adapter conformance: ${name}`, () => {
    let backend: AdapterBackend | undefined;
    const opened: BusAdapter[] = [];

    /** A connected adapter on this test's backend, closed after the test. */
    async function node(options: { historyPerTopic?: number } = {}): Promise<BusAdapter> {
      backend ??= await newBackend();
      const adapter = backend.newAdapter(options);
      opened.push(adapter);
      await adapter.connect();
      return adapter;
    }

    afterEach(async () => {
      // Closing twice must be harmless: the close case closes its adapter itself.
      await Promise.all(opened.splice(0).map((adapter) => adapter.close()));
      await backend?.dispose();
      backend = undefined;
    });

    test(ADAPTER_CASES.seqs, async () => {
      const first = await node();
      const nodes = backend!.shared ? [first, await node()] : [first];
      const heard = nodes.map((adapter) => listen(adapter));
      const topics = ['room:a', 'room:b'];
      const perPublisher = 40;
      const publishers = range(0, 5).map(async (p) => {
        const adapter = nodes[p % nodes.length]!;
        const topic = topics[p % topics.length]!;
        const seqs: number[] = [];
        for (let i = 0; i < perPublisher; i++) {
          // Two in flight per publisher: concurrency inside one node, not only across nodes.
          const [x, y] = await Promise.all([
            adapter.publish({ topic, from: `p${p}`, body: `${p}-${i}-x` }),
            adapter.publish({ topic, from: `p${p}`, body: `${p}-${i}-y` }),
          ]);
          seqs.push(x.message.seq, y.message.seq);
        }
        return { topic, seqs };
      });
      const outcomes = await Promise.all(publishers);
      for (const topic of topics) {
        const seqs = outcomes.filter((o) => o.topic === topic).flatMap((o) => o.seqs).sort((a, b) => a - b);
        const total = seqs.length;
        expect(seqs).toEqual(range(1, total));
        expect(await first.lastSeq(topic)).toBe(total);
        const slice = await first.read(topic, 0, total + 10);
        expect(slice.messages.map((m) => m.seq)).toEqual(range(1, total));
        for (const seen of heard) {
          await eventually(() => seen.seqsOf(topic).length >= total, `${total} live messages on ${topic}`);
          // Every stored message once, in seq order, on every node.
          expect(seen.seqsOf(topic)).toEqual(range(1, total));
        }
      }
    });

    test(ADAPTER_CASES.idempotent, async () => {
      const adapter = await node();
      const heard = listen(adapter);
      const first = await adapter.publish({ topic: 'room:t', from: 'alice', body: 'one', id: 'c1-1' });
      expect(first.duplicate).toBe(false);
      const again = await adapter.publish({ topic: 'room:t', from: 'alice', body: 'changed', id: 'c1-1' });
      expect(again).toEqual({ message: first.message, duplicate: true });
      // Concurrent retries of one id: exactly one is stored.
      const racing = await Promise.all(range(1, 8).map(() => adapter.publish({ topic: 'room:t', from: 'alice', body: 'two', id: 'c1-2' })));
      expect(racing.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(new Set(racing.map((r) => r.message.seq))).toEqual(new Set([2]));
      // An id is idempotent within its topic; another topic stores its own message.
      const elsewhere = await adapter.publish({ topic: 'room:u', from: 'alice', body: 'one', id: 'c1-1' });
      expect(elsewhere).toMatchObject({ duplicate: false, message: { topic: 'room:u', seq: 1 } });
      // A message without an id gets one, different each time.
      const made = await Promise.all(range(1, 3).map(() => adapter.publish({ topic: 'room:t', from: 'alice', body: 'x' })));
      expect(new Set(made.map((r) => r.message.id)).size).toBe(3);

      expect(await adapter.lastSeq('room:t')).toBe(5);
      const slice = await adapter.read('room:t', 0, 100);
      expect(slice.messages.map((m) => [m.seq, m.body])).toEqual([[1, 'one'], [2, 'two'], [3, 'x'], [4, 'x'], [5, 'x']]);
      await eventually(() => heard.seqsOf('room:t').length >= 5 && heard.seqsOf('room:u').length >= 1, 'the stored messages live');
      expect(heard.seqsOf('room:t')).toEqual([1, 2, 3, 4, 5]);
      expect((await adapter.stats()).historyMessages).toBe(6);
    });

    it('an id the server made, sent back, names its message while the topic holds it', async () => {
      const adapter = await node({ historyPerTopic: 3 });
      const made = [];
      for (const body of ['a', 'b', 'c']) made.push((await adapter.publish({ topic: 'room:t', from: 'alice', body })).message);
      const mine = await adapter.publish({ topic: 'room:t', from: 'alice', body: 'd', id: 'c1-1' });
      // The publisher's own id and the server's, mixed: each finds its message.
      expect(await adapter.publish({ topic: 'room:t', from: 'alice', body: 'again', id: made[2]!.id })).toEqual({ message: made[2], duplicate: true });
      expect(await adapter.publish({ topic: 'room:t', from: 'alice', body: 'again', id: 'c1-1' })).toEqual({ message: mine.message, duplicate: true });
      // Another topic does not know it; a trimmed message's id stores a new one.
      expect(await adapter.publish({ topic: 'room:u', from: 'alice', body: 'x', id: made[2]!.id })).toMatchObject({ duplicate: false });
      const trimmed = await adapter.publish({ topic: 'room:t', from: 'alice', body: 'new', id: made[0]!.id });
      expect(trimmed).toMatchObject({ duplicate: false, message: { seq: 5, body: 'new' } });
      // An id shaped like the server's that it never made is the publisher's own.
      const shaped = `${made[0]!.id.slice(0, made[0]!.id.lastIndexOf('-'))}-999999`;
      expect(await adapter.publish({ topic: 'room:t', from: 'alice', body: 'shaped', id: shaped })).toMatchObject({ duplicate: false, message: { seq: 6 } });
      expect(await adapter.publish({ topic: 'room:t', from: 'alice', body: 'shaped again', id: shaped })).toMatchObject({ duplicate: true, message: { seq: 6 } });
    });

    test(ADAPTER_CASES.exact, async () => {
      const adapter = await node();
      const heard = listen(adapter);
      const body = 'quotes " \\ backslash\nnew line\t tab, é ü 中文 😀, \u2028 and {"json":[1]} </script>';
      const before = Date.now();
      const { message } = await adapter.publish({ topic: 'room:t', from: 'zoë-1', body, id: 'id "with" \\ odd ✓' });
      expect(message).toMatchObject({ topic: 'room:t', seq: 1, from: 'zoë-1', body, id: 'id "with" \\ odd ✓' });
      expect(message.ts).toBeGreaterThanOrEqual(before);
      expect(message.ts).toBeLessThanOrEqual(Date.now());
      expect((await adapter.read('room:t', 0, 10)).messages).toEqual([message]);
      await eventually(() => heard.messages.length >= 1, 'the live copy');
      expect(heard.messages).toEqual([message]);
    });

    test(ADAPTER_CASES.trimming, async () => {
      const adapter = await node({ historyPerTopic: 3 });
      const bus = new Bus(adapter);
      for (const i of range(1, 10)) await adapter.publish({ topic: 'room:t', from: 'a', body: `m${i}` });
      expect(await adapter.read('room:t', 0, 100)).toMatchObject({ lastSeq: 10, firstHeldSeq: 8 });
      expect((await adapter.read('room:t', 0, 100)).messages.map((m) => m.body)).toEqual(['m8', 'm9', 'm10']);
      expect((await adapter.read('room:t', 8, 1)).messages.map((m) => m.seq)).toEqual([9]);
      expect(await adapter.read('room:none', 0, 100)).toEqual({ messages: [], lastSeq: 0, firstHeldSeq: 1 });

      const behind = await bus.catchUp({ 'room:t': 2 }, 100);
      expect(behind.gaps).toEqual([{ topic: 'room:t', from: 3, to: 7, reason: 'trimmed' }]);
      expect(behind.messages.map((m) => m.seq)).toEqual([8, 9, 10]);
      expect(behind.positions['room:t']).toBe(10);
      // Exactly at the edge of the history: no gap.
      const edge = await bus.catchUp({ 'room:t': 7 }, 100);
      expect(edge.gaps).toEqual([]);
      expect(edge.messages.map((m) => m.seq)).toEqual([8, 9, 10]);
      // A limit cuts the batch and says there is more.
      const paged = await bus.catchUp({ 'room:t': 0 }, 2);
      expect(paged).toMatchObject({ gaps: [{ from: 1, to: 7 }], more: true });
      expect(paged.messages.map((m) => m.seq)).toEqual([8, 9]);
      expect((await adapter.stats()).historyMessages).toBe(3);
      await bus.close();
    });

    test(ADAPTER_CASES.epoch, async () => {
      const before = await connectBus(await nodeUnconnected());
      for (const i of range(1, 4)) await before.publish({ topic: 'room:t', from: 'a', body: `old${i}` });
      const cursor = before.encodeCursor({ 'room:t': 4 });
      const oldEpoch = before.epoch;
      await before.close();

      await backend!.loseData();
      const after = await connectBus(await nodeUnconnected());
      expect(after.epoch).not.toBe(oldEpoch);
      expect(after.epoch).toMatch(/^[a-z0-9]{1,32}$/);
      expect((await after.publish({ topic: 'room:t', from: 'a', body: 'new1' })).message.seq).toBe(1);
      const start = await after.start(['room:t'], cursor, 0);
      expect(start.gaps).toEqual([{ topic: 'room:t', from: 1, to: 0, reason: 'restarted' }]);
      const caught = await after.catchUp(start.positions, 100);
      expect(caught.messages.map((m) => m.body)).toEqual(['new1']);
      expect(after.stats().epoch).toBe(after.epoch);
      await after.close();
    });

    test(ADAPTER_CASES.catchUpThenLive, async () => {
      // History longer than the publishers' cap: this case is about the seam, not trimming.
      const publisherNode = await node({ historyPerTopic: 6000 });
      const receiverNode = backend!.shared ? await node({ historyPerTopic: 6000 }) : publisherNode;
      const receiverBus = new Bus(receiverNode);
      const topic = 'room:t';
      let published = 0;
      let stop = false;
      let onFirst40 = (): void => {};
      const first40 = new Promise<void>((resolve) => { onFirst40 = resolve; });
      // Two publishers, one message in flight each, until the receiver has been live a while (capped).
      const publishing = Promise.all(range(1, 2).map(async (p) => {
        while (!stop && published < 5000) {
          published += 1;
          if (published === 40) onFirst40();
          await publisherNode.publish({ topic, from: `p${p}`, body: `b${published}` });
          await yieldToOthers();
        }
      }));
      await first40;
      const receiver = new StrictReceiver(receiverBus, topic);
      await receiver.begin();
      await eventually(() => receiver.live >= 50 || receiver.faults.length > 0, '50 live messages after the catch-up');
      stop = true;
      await publishing;
      const total = await publisherNode.lastSeq(topic);
      await eventually(() => receiver.seqs.length >= total || receiver.faults.length > 0, `all ${total} messages`);
      expect(receiver.faults).toEqual([]);
      expect(receiver.seqs).toEqual(range(1, total));
      expect(receiver.caughtUp).toBeGreaterThanOrEqual(40);
      await receiverBus.close();
    });

    test(ADAPTER_CASES.knownUsers, async () => {
      const adapter = await node();
      expect(await adapter.knowsUser('bob')).toBe(false);
      await adapter.rememberUser('bob');
      await adapter.rememberUser('bob');
      expect(await adapter.knowsUser('bob')).toBe(true);
      expect(await adapter.knowsUser('Bob')).toBe(false);
      expect(await adapter.knowsUser('bo')).toBe(false);
      await adapter.rememberUser('zoë_01-x');
      expect(await adapter.knowsUser('zoë_01-x')).toBe(true);
      // The bus asks the adapter: it keeps no list of its own.
      const bus = new Bus(adapter);
      expect(await bus.knowsUser('bob')).toBe(true);
      await bus.rememberUser('carol');
      expect(await adapter.knowsUser('carol')).toBe(true);
    });

    test(ADAPTER_CASES.nodes, async () => {
      const a = await node();
      const b = await node();
      expect(b.epoch).toBe(a.epoch);
      const heardOnB = listen(b);
      const { message } = await a.publish({ topic: 'room:t', from: 'alice', body: 'hi', id: 'x-1' });
      await eventually(() => heardOnB.messages.length >= 1, 'the message on the other node');
      expect(heardOnB.messages).toEqual([message]);
      expect(await b.publish({ topic: 'room:t', from: 'alice', body: 'hi', id: 'x-1' })).toEqual({ message, duplicate: true });
      expect((await b.read('room:t', 0, 10)).messages).toEqual([message]);
      await a.rememberUser('alice');
      expect(await b.knowsUser('alice')).toBe(true);
      // A node that restarts on the same data keeps the epoch: its clients' cursors stay valid.
      await a.close();
      const again = await node();
      expect(again.epoch).toBe(b.epoch);
      expect(await again.lastSeq('room:t')).toBe(1);
    });

    test(ADAPTER_CASES.close, async () => {
      const adapter = await node();
      const heard = listen(adapter);
      await adapter.publish({ topic: 'room:t', from: 'a', body: 'before' });
      await eventually(() => heard.messages.length >= 1, 'the message before close');
      await adapter.close();
      await adapter.close();
      if (backend!.shared) {
        // Another node goes on publishing; the closed one must not hear it.
        const other = await node();
        const heardOnOther = listen(other);
        await other.publish({ topic: 'room:t', from: 'a', body: 'after' });
        await eventually(() => heardOnOther.messages.length >= 1, 'the other node to hear its message');
      }
      expect(heard.messages.map((m) => m.body)).toEqual(['before']);
      const operations: Array<[string, () => Promise<unknown>]> = [
        ['publish', () => adapter.publish({ topic: 'room:t', from: 'a', body: 'late' })],
        ['read', () => adapter.read('room:t', 0, 10)],
        ['lastSeq', () => adapter.lastSeq('room:t')],
        ['rememberUser', () => adapter.rememberUser('late')],
        ['knowsUser', () => adapter.knowsUser('late')],
        ['stats', () => adapter.stats()],
        ['connect', () => adapter.connect()],
      ];
      for (const [operation, call] of operations) {
        const error = await rejection(call());
        expect({ operation, code: error.code }).toEqual({ operation, code: 'unavailable' });
      }
    });

    /** An adapter on this test's backend that `connectBus` connects. */
    async function nodeUnconnected(): Promise<BusAdapter> {
      backend ??= await newBackend();
      const adapter = backend.newAdapter({});
      opened.push(adapter);
      return adapter;
    }
  });
}
