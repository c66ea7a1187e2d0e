import { describe, expect, it } from 'vitest';
import { MemoryAdapter } from '../../src/bus/index.ts';
import { LiveFeed } from '../../src/bus/live-feed.ts';
import type { Message } from '../../src/protocol/index.ts';
import { eventually } from '../wait.ts';

/** A history of `count` messages on room:t (and one on room:u), and a feed that reads from it. */
async function setUp(count: number, historyPerTopic = 1000) {
  const history = new MemoryAdapter({ historyPerTopic });
  const stored: Message[] = [];
  for (let i = 1; i <= count; i++) stored.push((await history.publish({ topic: 'room:t', from: 'a', body: `m${i}` })).message);
  const other = (await history.publish({ topic: 'room:u', from: 'a', body: 'u1' })).message;
  const emitted: Message[] = [];
  let reads = 0;
  let failing = false;
  const feed = new LiveFeed(async (topic, afterSeq, limit) => {
    reads += 1;
    if (failing) throw new Error('backend away');
    return history.read(topic, afterSeq, limit);
  }, (message) => emitted.push(message));
  return {
    stored, other, emitted, feed,
    seqs: (topic = 'room:t') => emitted.filter((m) => m.topic === topic).map((m) => m.seq),
    reads: () => reads,
    fail: (on: boolean) => { failing = on; },
  };
}

describe('LiveFeed: live copies made whole from history', () => {
  it('passes copies in order, once, and drops a copy it already passed', async () => {
    const { stored, feed, seqs, reads } = await setUp(3);
    for (const message of [stored[0]!, stored[1]!, stored[1]!, stored[0]!, stored[2]!]) feed.receive(message);
    expect(seqs()).toEqual([1, 2, 3]);
    expect(reads()).toBe(0);
  });

  it('reads a hole from history before the copy past it, holding later copies meanwhile', async () => {
    const { stored, other, feed, seqs } = await setUp(6);
    feed.receive(stored[0]!);
    feed.receive(stored[3]!);
    feed.receive(stored[5]!);
    feed.receive(stored[4]!);
    // Another topic is not held up by this one's repair.
    feed.receive(other);
    expect(seqs('room:u')).toEqual([1]);
    await eventually(() => seqs().length >= 6, 'the repaired topic');
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads every known topic\'s tail on resync', async () => {
    const { stored, other, feed, seqs } = await setUp(4);
    feed.receive(stored[0]!);
    feed.receive(other);
    feed.resync();
    await eventually(() => seqs().length >= 4, 'the tail of room:t');
    expect(seqs()).toEqual([1, 2, 3, 4]);
    expect(seqs('room:u')).toEqual([1]);
  });

  it('skips what history no longer holds; the receivers report it as trimmed', async () => {
    const { stored, feed, seqs } = await setUp(10, 3);
    feed.receive(stored[0]!);
    feed.receive(stored[9]!);
    await eventually(() => seqs().length >= 4, 'the held messages');
    expect(seqs()).toEqual([1, 8, 9, 10]);
  });

  it('passes copies over the hole when history cannot be read, and does not retry in a loop', async () => {
    const { stored, feed, seqs, reads, fail } = await setUp(5);
    feed.receive(stored[0]!);
    fail(true);
    feed.receive(stored[3]!);
    feed.receive(stored[4]!);
    await eventually(() => seqs().length >= 3, 'the copies past the hole');
    expect(seqs()).toEqual([1, 4, 5]);
    expect(reads()).toBe(1);
  });

  it('starts over after reset (a new epoch restarts seqs at 1)', async () => {
    const { stored, feed, seqs } = await setUp(3);
    for (const message of stored) feed.receive(message);
    feed.reset();
    feed.receive(stored[0]!);
    expect(seqs()).toEqual([1, 2, 3, 1]);
  });

  it('after reset, a resync reads each known topic of the new epoch from its start (copies lost while the backend restarted)', async () => {
    const { stored, other, feed, seqs } = await setUp(3);
    for (const message of [...stored, other]) feed.receive(message);
    // Here the "new epoch" holds the same seqs again: its 1..3 were stored while no live copy could arrive.
    feed.reset();
    feed.resync();
    await eventually(() => seqs().length, (n) => n === 6);
    expect(seqs()).toEqual([1, 2, 3, 1, 2, 3]);
    expect(seqs('room:u')).toEqual([1, 1]);
  });
});
