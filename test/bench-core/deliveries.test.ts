import { describe, expect, it } from 'vitest';
import { DeliveryLedger, accountDeliveries, perClientPerSecond, perDelivery, wireDirection } from '../../bench/aggregate/index.ts';
import type { DeliveryKey } from '../../bench/aggregate/index.ts';

const keys = (recipient: string, topic: string, seqs: number[]): DeliveryKey[] =>
  seqs.map((seq) => ({ recipient, topic, seq }));

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

  it('expectRange and large seqs (bitmap growth)', () => {
    const ledger = new DeliveryLedger();
    ledger.expectRange('a', 'room:x', 1, 5000);
    ledger.expectRange('a', 'room:x', 4001, 5000);
    for (let seq = 1; seq <= 5000; seq += 2) ledger.receive('a', 'room:x', seq);
    expect(ledger.counts()).toMatchObject({ expected: 5000, received: 2500, lost: 2500 });
  });

  it('rejects a seq that is not a positive integer', () => {
    expect(() => new DeliveryLedger().receive('a', 'room:x', 0)).toThrow(RangeError);
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
