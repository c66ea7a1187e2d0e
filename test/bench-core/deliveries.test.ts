import { describe, expect, it } from 'vitest';
import { DeliveryAudit, SeqRecord, perClientPerSecond, perDelivery, sumDeliveries, wireDirection } from '../../bench/aggregate/index.ts';
import type { DeliveryCounts } from '../../src/results/schema.ts';

/** A (topic, seq, recipient) triple. */
interface DeliveryKey {
  topic: string;
  seq: number;
  recipient: string;
}

interface GapReport {
  recipient: string;
  topic: string;
  from: number;
  to: number;
}

const keys = (recipient: string, topic: string, seqs: number[]): DeliveryKey[] =>
  seqs.map((seq) => ({ recipient, topic, seq }));

/** Whole lists through the audit: expected, then arrivals in order, then the gap records. */
function accountDeliveries(expected: DeliveryKey[], received: DeliveryKey[], gaps: GapReport[] = []): DeliveryCounts {
  const audit = new DeliveryAudit();
  for (const key of expected) audit.expect(key.recipient, key.topic, key.seq);
  for (const key of received) audit.receive(key.recipient, key.topic, key.seq);
  for (const gap of gaps) audit.gap(gap.recipient, gap.topic, gap.from, gap.to);
  return audit.counts();
}

describe('delivery accounting', () => {
  it('everything arrives once, in order', () => {
    const expected = [...keys('a', 'room:x', [1, 2, 3]), ...keys('b', 'room:x', [1, 2, 3])];
    expect(accountDeliveries(expected, expected)).toEqual({
      expected: 6, received: 6, lost: 0, duplicated: 0, outOfOrder: 0, gaps: 0, unexpected: 0,
    });
  });

  it('counts a loss per recipient, not per message', () => {
    const expected = [...keys('a', 'room:x', [1, 2, 3]), ...keys('b', 'room:x', [1, 2, 3])];
    const received = [...keys('a', 'room:x', [1, 2, 3]), ...keys('b', 'room:x', [1, 3])];
    expect(accountDeliveries(expected, received)).toMatchObject({ received: 5, lost: 1, outOfOrder: 0 });
  });

  it('counts duplicates and out-of-order arrivals separately', () => {
    const expected = keys('a', 'room:x', [1, 2, 3, 4]);
    const received = keys('a', 'room:x', [1, 3, 2, 3, 4, 1]);
    expect(accountDeliveries(expected, received)).toMatchObject({
      received: 4, lost: 0, duplicated: 2, outOfOrder: 1,
    });
  });

  it('keeps topics apart: seq 1 on two topics is two deliveries', () => {
    const expected = [...keys('a', 'room:x', [1]), ...keys('a', 'user:a', [1])];
    expect(accountDeliveries(expected, expected)).toMatchObject({ received: 2, duplicated: 0 });
  });

  it('a gap is counted and its seqs stay lost', () => {
    const expected = keys('a', 'room:x', [1, 2, 3, 4, 5]);
    const received = keys('a', 'room:x', [1, 5]);
    const counts = accountDeliveries(expected, received, [{ recipient: 'a', topic: 'room:x', from: 2, to: 4 }]);
    expect(counts).toMatchObject({ received: 2, lost: 3, gaps: 1, outOfOrder: 0 });
  });

  it('an arrival nobody expected is counted as unexpected, not received', () => {
    const counts = accountDeliveries(keys('a', 'room:x', [2]), keys('a', 'room:x', [1, 2]));
    expect(counts).toMatchObject({ expected: 1, received: 1, unexpected: 1, lost: 0 });
  });

  it('expectRange: overlapping ranges count once, and many seqs ahead of a hole', () => {
    const audit = new DeliveryAudit();
    audit.expectRange('a', 'room:x', 1, 5000);
    audit.expectRange('a', 'room:x', 4001, 5000);
    for (let seq = 1; seq <= 5000; seq += 2) audit.receive('a', 'room:x', seq);
    expect(audit.counts()).toMatchObject({ expected: 5000, received: 2500, lost: 2500 });
  });

  it('rejects a seq that is not a positive integer', () => {
    expect(() => new DeliveryAudit().receive('a', 'room:x', 0)).toThrow(RangeError);
    expect(() => new DeliveryAudit().expectRange('a', 'room:x', 0, 3)).toThrow(RangeError);
  });

  it('counts a worker\'s clients across topics by hand', () => {
    // What a worker records: two clients, each subscribed to room:a (last seq 5) and room:b (last seq 3).
    const audit = new DeliveryAudit();
    for (const seq of [1, 2, 4, 3, 5, 5]) audit.receive(0, 'room:a', seq); // all 5; one duplicate; 3 after 4
    audit.receive(0, 'room:b', 1);
    audit.gap(0, 'room:b', 2, 2); // 2 will never come: not awaited, still lost
    audit.receive(0, 'room:b', 3);
    for (const seq of [2, 1, 6]) audit.receive(1, 'room:a', seq); // 1 after 2; 6 was never acknowledged
    // client 1 got nothing of room:b
    expect(audit.holdsAll(0, 'room:a', 5)).toBe(true);
    expect(audit.holdsAll(0, 'room:b', 3)).toBe(true);
    expect(audit.holdsAll(1, 'room:a', 5)).toBe(false);
    expect(audit.holdsAll(1, 'room:b', 3)).toBe(false);
    expect(audit.holdsAll(1, 'room:b', 0)).toBe(true);
    for (const client of [0, 1]) {
      audit.expectRange(client, 'room:a', 1, 5);
      audit.expectRange(client, 'room:b', 1, 3);
    }
    // expected 5 + 3 + 5 + 3; received 5 + 2 + 2 + 0
    expect(audit.counts()).toEqual({ expected: 16, received: 9, lost: 7, duplicated: 1, outOfOrder: 2, gaps: 1, unexpected: 1 });
  });

  it('a seq that arrives after a gap covered it is a duplicate, not a delivery', () => {
    const audit = new DeliveryAudit();
    audit.cover('a', 'room:x', 2, 3); // before the measured phase: covered, not counted as a gap record
    audit.receive('a', 'room:x', 1);
    audit.receive('a', 'room:x', 3);
    audit.expectRange('a', 'room:x', 1, 3);
    expect(audit.counts()).toEqual({ expected: 3, received: 1, lost: 2, duplicated: 1, outOfOrder: 0, gaps: 0, unexpected: 0 });
  });

  it('adds the workers\' tallies and derives what is lost', () => {
    const one = { expected: 16, received: 9, duplicated: 1, outOfOrder: 2, gaps: 1, unexpected: 1 };
    const two = { expected: 10, received: 10, duplicated: 0, outOfOrder: 0, gaps: 0, unexpected: 0 };
    const three = { expected: 4, received: 1, duplicated: 3, outOfOrder: 1, gaps: 2, unexpected: 5 };
    expect(sumDeliveries([one, two, three])).toEqual({ expected: 30, received: 20, lost: 10, duplicated: 4, outOfOrder: 3, gaps: 3, unexpected: 6 });
    expect(sumDeliveries([])).toEqual({ expected: 0, received: 0, lost: 0, duplicated: 0, outOfOrder: 0, gaps: 0, unexpected: 0 });
  });
});

describe('SeqRecord', () => {
  it('counts duplicates, out-of-order arrivals and what is still missing', () => {
    const record = new SeqRecord();
    for (const seq of [1, 2, 4, 3, 3, 5]) record.arrive(seq);
    expect(record.duplicated).toBe(1);
    expect(record.outOfOrder).toBe(1);
    expect(record.arrivedIn(1, 6)).toBe(5);
    expect(record.holdsAll(5)).toBe(true);
    expect(record.holdsAll(6)).toBe(false);
    expect(record.arrivedIn(5, Infinity)).toBe(1);
  });

  it('counts seqs covered by a gap as not received, yet not awaited', () => {
    const record = new SeqRecord();
    record.arrive(1);
    record.cover(2, 4);
    record.arrive(5);
    expect(record.holdsAll(5)).toBe(true);
    expect(record.arrivedIn(1, 5)).toBe(2);
  });

  it('counts arrivals ahead of a hole inside a range', () => {
    const record = new SeqRecord();
    for (const seq of [1, 2, 7, 9, 12]) record.arrive(seq);
    record.cover(8, 8);
    expect(record.arrivedIn(1, 10)).toBe(4);
    expect(record.arrivedIn(3, 8)).toBe(1);
    expect(record.arrivedIn(10, 9)).toBe(0);
    expect(record.holdsAll(2)).toBe(true);
    expect(record.holdsAll(3)).toBe(false);
  });
});

describe('wire figures', () => {
  it('reports the client − server difference per part', () => {
    const direction = wireDirection({ headers: 1000, framing: 20, bodies: 500 }, { headers: 990, framing: 20, bodies: 500 });
    expect(direction.difference).toEqual({ headers: 10, framing: 0, bodies: 0 });
    expect(direction.relativeDifference).toBeCloseTo(10 / 1520, 9);
    expect(wireDirection({ headers: 0, framing: 0, bodies: 0 }, { headers: 0, framing: 0, bodies: 0 }).relativeDifference).toBe(0);
  });

  it('divides requests and bytes by deliveries', () => {
    const cost = perDelivery(40, { headers: 400, framing: 0, bodies: 100 }, { headers: 300, framing: 40, bodies: 100 }, 10);
    expect(cost).toEqual({ requests: 4, headers: 70, framing: 4, bodies: 20, total: 94 });
    expect(perDelivery(5, { headers: 1, framing: 0, bodies: 0 }, { headers: 1, framing: 0, bodies: 0 }, 0).total).toBe(0);
  });

  it('divides requests and bytes by client-seconds', () => {
    const cost = perClientPerSecond(200, { headers: 1000, framing: 0, bodies: 0 }, { headers: 600, framing: 0, bodies: 400 }, 10, 2);
    expect(cost).toEqual({ requests: 10, headers: 80, framing: 0, bodies: 20, total: 100 });
  });
});
