import { describe, expect, it } from 'vitest';
import { TopicPositions } from '../../src/client/ledger.ts';
import type { Message } from '../../src/protocol/index.ts';

function message(topic: string, seq: number): Message {
  return { topic, seq, id: `id-${seq}`, from: 'alice', body: `m${seq}`, ts: 0 };
}

describe('TopicPositions', () => {
  it('delivers each (topic, seq) once, whatever the replays', () => {
    const ledger = new TopicPositions();
    const delivered: number[] = [];
    for (const seq of [1, 2, 3, 2, 3, 4, 1, 5]) {
      if (ledger.acceptMessage(message('room:a', seq)).deliver) delivered.push(seq);
    }
    expect(delivered).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps topics apart', () => {
    const ledger = new TopicPositions();
    expect(ledger.acceptMessage(message('room:a', 3)).deliver).toBe(true);
    expect(ledger.acceptMessage(message('room:b', 1)).deliver).toBe(true);
    expect(ledger.acceptMessage(message('room:b', 1)).deliver).toBe(false);
    expect(ledger.position('room:a')).toBe(3);
    expect(ledger.position('room:b')).toBe(1);
  });

  it('accepts any first seq of a topic (delivery may start mid-topic) without a gap', () => {
    const ledger = new TopicPositions();
    expect(ledger.acceptMessage(message('room:a', 40))).toEqual({ deliver: true });
  });

  it('reports a hole nobody announced as a gap with the exact missing range', () => {
    const ledger = new TopicPositions();
    ledger.acceptMessage(message('room:a', 4));
    expect(ledger.acceptMessage(message('room:a', 9))).toEqual({
      deliver: true,
      gap: { topic: 'room:a', from: 5, to: 8 },
    });
  });

  it('takes a trimmed gap once and moves past it', () => {
    const ledger = new TopicPositions();
    ledger.acceptMessage(message('room:a', 1));
    const gap = { topic: 'room:a', from: 2, to: 10, reason: 'trimmed' as const };
    expect(ledger.acceptGap(gap)).toBe(true);
    expect(ledger.acceptGap(gap)).toBe(false);
    expect(ledger.acceptMessage(message('room:a', 11))).toEqual({ deliver: true });
    expect(ledger.acceptMessage(message('room:a', 10)).deliver).toBe(false);
  });

  it('restarts a topic after a restarted gap, so the new epoch is delivered from seq 1', () => {
    const ledger = new TopicPositions();
    ledger.acceptMessage(message('room:a', 50));
    expect(ledger.acceptGap({ topic: 'room:a', from: 1, to: 0, reason: 'restarted' })).toBe(true);
    expect(ledger.acceptMessage(message('room:a', 1))).toEqual({ deliver: true });
  });

  it('moves back to the real last seq after an unknown gap', () => {
    const ledger = new TopicPositions();
    ledger.acceptMessage(message('room:a', 90));
    expect(ledger.acceptGap({ topic: 'room:a', from: 8, to: 90, reason: 'unknown' })).toBe(true);
    expect(ledger.position('room:a')).toBe(7);
    expect(ledger.acceptMessage(message('room:a', 8))).toEqual({ deliver: true });
  });
});
