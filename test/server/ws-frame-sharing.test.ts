import { afterEach, describe, expect, it } from 'vitest';
import { decodeCursor } from '../../src/bus/index.ts';
import { closeAll, createSession, publish, startServer, TestSocket } from './helpers.ts';

afterEach(closeAll);

/**
 * A message frame is built once and shared by every recipient whose cursor
 * after it is the same string; a recipient with other topics must still get
 * its own cursor (the frame cache must never hand out someone else's).
 */
describe('ws frames shared between recipients', () => {
  it('gives each recipient the cursor of its own topics', async () => {
    const server = await startServer();
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((name) => createSession(server, name)));
    const sockets = await Promise.all([alice, bob, carol].map((session) => TestSocket.open(server, session)));
    const topicSets = [['room:lobby'], ['room:lobby'], ['room:lobby', 'user:carol']];
    for (const [i, socket] of sockets.entries()) {
      socket.send({ op: 'subscribe', topics: topicSets[i], ref: 's' });
      await socket.next((f) => f.op === 'subscribed');
    }
    await publish(server, alice, { topic: 'user:carol', body: 'dm' });
    await sockets[2]!.next((f) => f.op === 'message');

    await publish(server, bob, { topic: 'room:lobby', body: 'hello' });
    const frames = (await Promise.all(sockets.map((s) => s.next((f) => f.op === 'message')))) as { body: string; cursor: string }[];
    expect(frames.map((f) => f.body)).toEqual(['hello', 'hello', 'hello']);

    const positions = frames.map((f) => decodeCursor(f.cursor).positions);
    expect(positions[0]).toEqual({ 'room:lobby': 1 });
    expect(frames[1]!.cursor).toBe(frames[0]!.cursor);
    expect(positions[2]).toEqual({ 'room:lobby': 1, 'user:carol': 1 });
  });

  it('a one-topic recipient reuses the frame only with its own cursor, whoever is served first', async () => {
    const server = await startServer();
    const names = ['carol', 'dave', 'alice', 'bob'];
    const sessions = await Promise.all(names.map((name) => createSession(server, name)));
    const sockets = await Promise.all(sessions.map((session) => TestSocket.open(server, session)));
    // Subscribed first, so served first: carol's frame (two topics) is the one cached.
    const subscribes: string[][][] = [[['room:lobby', 'user:carol']], [['room:lobby'], ['user:dave']], [['room:lobby']], [['room:lobby']]];
    for (const [i, socket] of sockets.entries()) {
      for (const topics of subscribes[i]!) {
        socket.send({ op: 'subscribe', topics, ref: topics.join() });
        await socket.next((f) => f.op === 'subscribed' && (f as { ref?: string }).ref === topics.join());
      }
    }
    for (const body of ['one', 'two']) {
      await publish(server, sessions[2]!, { topic: 'room:lobby', body });
      const frames = (await Promise.all(sockets.map((s) => s.next((f) => f.op === 'message')))) as { body: string; cursor: string }[];
      expect(frames.map((f) => f.body)).toEqual([body, body, body, body]);
      const seq = body === 'one' ? 1 : 2;
      expect(frames.map((f) => decodeCursor(f.cursor).positions)).toEqual([
        { 'room:lobby': seq, 'user:carol': 0 },
        { 'room:lobby': seq, 'user:dave': 0 },
        { 'room:lobby': seq },
        { 'room:lobby': seq },
      ]);
      expect(frames[3]!.cursor).toBe(frames[2]!.cursor);
    }
  });
});
