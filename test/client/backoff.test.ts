import { describe, expect, it } from 'vitest';
import { Backoff, sleep } from '../../src/client/backoff.ts';

describe('Backoff', () => {
  it('doubles its ceiling from minMs up to maxMs', () => {
    const backoff = new Backoff({ minMs: 100, maxMs: 1000, random: () => 0.999999 });
    const delays = Array.from({ length: 6 }, () => backoff.next());
    expect(delays).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('draws each delay uniformly below the ceiling (full jitter)', () => {
    const draws = [0, 0.5, 0.25];
    const backoff = new Backoff({ minMs: 100, maxMs: 10_000, random: () => draws.shift() ?? 0 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([0, 100, 100]);
  });

  it('starts small again after reset()', () => {
    const backoff = new Backoff({ minMs: 50, maxMs: 5000, random: () => 0.5 });
    backoff.next();
    backoff.next();
    backoff.next();
    expect(backoff.ceiling()).toBe(400);
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(25);
  });

  it('never overflows past maxMs after many attempts', () => {
    const backoff = new Backoff({ minMs: 1, maxMs: 3000, random: () => 0.999 });
    for (let i = 0; i < 2000; i += 1) backoff.next();
    expect(backoff.ceiling()).toBe(3000);
    expect(backoff.next()).toBeLessThan(3000);
  });

  it('rejects options that cannot work, naming them', () => {
    expect(() => new Backoff({ minMs: 500, maxMs: 100 })).toThrow(/minMs <= maxMs/);
    expect(() => new Backoff({ minMs: -1, maxMs: 100 })).toThrow(/minMs/);
  });
});

describe('sleep', () => {
  it('ends early when its signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const done = sleep(60_000, controller.signal);
    controller.abort();
    await done;
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('resolves at once for an aborted signal', async () => {
    await expect(sleep(60_000, AbortSignal.abort())).resolves.toBeUndefined();
  });
});
