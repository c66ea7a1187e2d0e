import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { LongPollSimClient } from '../../bench/sim/longpoll.ts';
import { Bus } from '../../src/bus/bus.ts';
import { MemoryAdapter } from '../../src/bus/memory-adapter.ts';
import { closeAll, createSession, eventually, publish, startServer } from '../server/helpers.ts';
import { recordingSink, simOptions } from './sim-window.ts';

afterEach(closeAll);

/** The theory's measured terms (bench/aggregate/theory.ts): D on the server, r in the long-poll client. */
describe('the hosts\' measured terms', () => {
  it('D: a hand-out lasts until the writes its turn queued for the check phase are done', async () => {
    const bus = new Bus(new MemoryAdapter({ historyPerTopic: 10 }));
    let checkPhaseDone = false;
    const workMs = 3;
    bus.subscribe(['room:d'], () => {
      // Like a long-poll room: the copies are written in the check phase of the same turn.
      setImmediate(() => {
        const until = performance.now() + workMs;
        while (performance.now() < until);
        checkPhaseDone = true;
      });
    });
    const before = bus.stats();
    await bus.publish({ topic: 'room:d', body: 'x', from: 'alice' });
    await eventually(() => checkPhaseDone && bus.stats().fanouts > before.fanouts, 'the hand-out to end');
    const after = bus.stats();
    expect(after.fanouts - before.fanouts).toBe(1);
    expect(after.fanoutMicros - before.fanoutMicros).toBeGreaterThanOrEqual(workMs * 1000);
    // A topic nobody listens to is handed to no one: nothing is counted.
    await bus.publish({ topic: 'room:nobody', body: 'x', from: 'alice' });
    await new Promise<void>((done) => setImmediate(done));
    expect(bus.stats().fanouts).toBe(after.fanouts);
  });

  it('D reaches /api/stats: one publish to held long polls is one hand-out', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    // One long poll per session: a second of the same session would supersede the first.
    const listeners = await Promise.all(['bob', 'carol', 'dave'].map((name) => createSession(server, name)));
    const held = listeners.map((session) => fetch(`${server.url}/api/longpoll?topics=room:held&wait=5`, { headers: session.auth }));
    await eventually(() => server.stats().transports.longpoll.heldRequests === 3, 'three held long polls');
    const before = server.stats().bus;
    expect((await publish(server, alice, { topic: 'room:held', body: 'hi' })).status).toBe(201);
    const answers = await Promise.all(held);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    await eventually(() => server.stats().bus.fanouts > before.fanouts, 'the hand-out counted');
    const after = server.stats().bus;
    expect(after.fanouts - before.fanouts).toBe(1);
    expect(after.fanoutMicros - before.fanoutMicros).toBeGreaterThan(0);
  });

  it('r: a long-poll client reports the time from reading each answer to writing its next request', async () => {
    const server = await startServer();
    const alice = await createSession(server, 'alice');
    const { sink, messages, turnarounds } = recordingSink();
    const client = new LongPollSimClient(simOptions(server, sink, { name: 'sim-r', transport: 'longpoll', topics: ['room:r'] }));
    try {
      await client.open();
      await eventually(() => server.stats().transports.longpoll.heldRequests === 1, 'the client to hold');
      // The first answer (wait=0, for a cursor) was re-issued once already.
      const reissuedBefore = turnarounds.length;
      expect(reissuedBefore).toBe(1);
      expect((await publish(server, alice, { topic: 'room:r', body: 'one' })).status).toBe(201);
      await eventually(() => messages.length === 1 && turnarounds.length === reissuedBefore + 1, 'the answer and its re-issue');
      expect(turnarounds.every((ns) => ns > 0 && ns < 5e9)).toBe(true);
    } finally {
      await client.quiesce();
      client.close();
    }
  });
});
