import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { corkAheadForThisTurn, corkForThisTurn } from '../../src/transports/turn-cork.ts';

/** A stream that records when it is uncorked, in a list shared by all of them. */
function recorded(name: string, order: string[]): PassThrough {
  const stream = new PassThrough();
  const uncork = stream.uncork.bind(stream);
  stream.uncork = () => {
    order.push(name);
    uncork();
  };
  return stream;
}

describe('corkForThisTurn', () => {
  it('corks each socket once and uncorks it once after the current turn', async () => {
    const order: string[] = [];
    const a = recorded('a', order);
    corkForThisTurn(a);
    corkForThisTurn(a);
    expect(a.writableCorked).toBe(1);
    await Promise.resolve();
    expect(order).toEqual(['a']);
    expect(a.writableCorked).toBe(0);
  });

  it('flushes the sockets corked ahead (a publisher\'s acks) before the rest, each once', async () => {
    const order: string[] = [];
    const [fanoutOne, fanoutTwo, publisher] = ['fanout-1', 'fanout-2', 'publisher'].map((name) => recorded(name, order));
    corkForThisTurn(fanoutOne!);
    corkForThisTurn(publisher!);
    corkForThisTurn(fanoutTwo!);
    corkAheadForThisTurn(publisher!);
    corkAheadForThisTurn(publisher!);
    await Promise.resolve();
    expect(order).toEqual(['publisher', 'fanout-1', 'fanout-2']);
    expect([fanoutOne, fanoutTwo, publisher].map((stream) => stream!.writableCorked)).toEqual([0, 0, 0]);
  });
});
