import { describe, expect, it } from 'vitest';
import { bytesPerClientPerSecond, longPollLatencies, projectBandwidth, publisherLegMs, theoryLatency } from '../../bench/aggregate/index.ts';
import { ARTICLE_HEADER_BYTES, articleCharacterCount } from '../../bench/headers/websocket-org-2009.ts';

describe('the Quantum Leap projection', () => {
  it('reproduces 6.6 / 66 / 665 Mbps from 871 bytes per poll, once a second', () => {
    const projection = projectBandwidth(871);
    expect(projection.rows.map((row) => row.clients)).toEqual([1_000, 10_000, 100_000]);
    expect(projection.rows.map((row) => row.bytesPerSecond)).toEqual([871_000, 8_710_000, 87_100_000]);
    expect(projection.rows.map((row) => row.bytesPerSecond * 8)).toEqual([6_968_000, 69_680_000, 696_800_000]);
    const [a, b, c] = projection.rows.map((row) => row.mebibitsPerSecond);
    expect(a.toFixed(1)).toBe('6.6');
    expect(b.toFixed(0)).toBe('66');
    expect(c.toFixed(0)).toBe('665');
    expect(projection.rows[0].megabitsPerSecond).toBeCloseTo(6.968, 6);
  });

  it("reproduces the WebSocket side: 2 bytes of frame → 0.015 / 0.153 / 1.526 Mbps", () => {
    const rows = projectBandwidth(2).rows.map((row) => row.mebibitsPerSecond);
    expect(Math.floor(rows[0] * 1000) / 1000).toBe(0.015);
    expect(rows[1].toFixed(3)).toBe('0.153');
    expect(rows[2].toFixed(3)).toBe('1.526');
  });

  it('the article profile holds exactly the 871 characters the article counted', () => {
    expect(articleCharacterCount()).toBe(ARTICLE_HEADER_BYTES);
  });

  it('bytes per client per second from totals', () => {
    expect(bytesPerClientPerSecond(87_100, 10, 10)).toBe(871);
    expect(bytesPerClientPerSecond(100, 0, 10)).toBe(0);
  });
});

describe('theory latency: both legs of the path, publisher up and subscriber down (issue 13 item 1)', () => {
  it('SSE and WebSocket: up to the server and down again, 2d', () => {
    for (const transport of ['sse', 'ws'] as const) {
      expect(theoryLatency(transport, 15, 1000)).toMatchObject({ model: 'push', meanMs: 30, worstMs: 30 });
    }
    // fanout at 10 msg/s through a 400 ms round trip: 400 ms, not 200.
    expect(theoryLatency('sse', 200, 1000, [{ periodMs: 100, offsetMs: 0, burstSize: 1 }]).meanMs).toBe(400);
  });

  it('short poll: mean T/2 + 2d, worst T + 2d (RFC 6202)', () => {
    const theory = theoryLatency('poll', 50, 1000);
    expect(theory).toMatchObject({ model: 'short-poll', meanMs: 600, worstMs: 1100, worstIsLowerBound: false });
    expect(theory.formula).toContain('T/2 + 2d');
  });

  it('long poll, one message at a time: 2d; worst over 4d', () => {
    expect(theoryLatency('longpoll', 50, 1000)).toMatchObject({ model: 'long-poll', meanMs: 100, worstMs: 200, worstIsLowerBound: true });
  });

  it('a burst on HTTP: the 7th send waits for the 1st answer on six connections; ws sends all at once', () => {
    const burst = [{ periodMs: 1000, offsetMs: 0, burstSize: 10 }];
    expect(publisherLegMs('sse', 15, 5)).toBe(15);
    expect(publisherLegMs('sse', 15, 6)).toBe(45);
    expect(publisherLegMs('ws', 15, 9)).toBe(15);
    // 6 at 2d, 4 at 4d.
    expect(theoryLatency('sse', 15, 1000, burst).meanMs).toBe((6 * 30 + 4 * 60) / 10);
    expect(theoryLatency('ws', 15, 1000, burst).meanMs).toBe(30);
    // Long poll: the 1st alone at 2d, each later one a round trip more (4d), waves included.
    expect(theoryLatency('longpoll', 15, 1000, burst).meanMs).toBe((30 + 9 * 60) / 10);
  });

  it('a burst over HTTP/2: every send is a stream of one session, so no waves of six (burst over --http 2)', () => {
    const burst = [{ periodMs: 1000, offsetMs: 0, burstSize: 10 }];
    const h2 = { http2: true };
    expect(publisherLegMs('sse', 15, 6, h2)).toBe(15);
    expect(publisherLegMs('poll', 15, 9, h2)).toBe(15);
    // ws ignores the HTTP version: one socket either way.
    expect(publisherLegMs('ws', 15, 9, h2)).toBe(15);
    const sse = theoryLatency('sse', 15, 1000, burst, h2);
    expect(sse.meanMs).toBe(30);
    expect(sse.worstMs).toBe(30);
    expect(sse.formula).not.toContain('per 6 sends');
    expect(sse.formula).toContain('streams of one session');
    // Short poll: all ten reach the server after one transit; they wait for the poll as one message does.
    expect(theoryLatency('poll', 15, 1000, burst, h2)).toMatchObject({ meanMs: 530, worstMs: 1030 });
    expect(theoryLatency('poll', 15, 1000, burst).worstMs).toBe(1060);
    // Long poll: the ten reach the server in one read, and the held request answers them together — 2d for all,
    // where HTTP/1.1's first goes alone and the other nine wait for the re-issued request (4d).
    const longpoll = theoryLatency('longpoll', 15, 1000, burst, h2);
    expect(longpoll.meanMs).toBe(30);
    expect(longpoll.formula).toContain('one answer');
    expect(longpoll.formula).not.toContain('re-issued request');
    expect(longpoll.formula).not.toContain('per 6 sends');
    expect(theoryLatency('longpoll', 15, 1000, burst).meanMs).toBe((30 + 9 * 60) / 10);
    // One message at a time, HTTP/2 changes nothing in the theory.
    for (const transport of ['poll', 'longpoll', 'sse'] as const) {
      expect(theoryLatency(transport, 15, 1000, undefined, h2)).toEqual(theoryLatency(transport, 15, 1000));
    }
  });

  it('long poll: a message that reaches the server while the answer travels waits for the re-issued request', () => {
    // d = 15: messages due at 0, 10, 50 reach the server at 15, 25, 65.
    const arrivals = [
      { dueMs: 0, atServerMs: 15 },
      { dueMs: 10, atServerMs: 25 },
      { dueMs: 50, atServerMs: 65 },
    ];
    // The 1st answers the held request at 15 (lands at 30); the next request is held from 45, so the 2nd goes
    // then (lands 60); that request is back at 75, and the 3rd, there since 65, goes then (lands 90).
    expect(longPollLatencies(arrivals, 15)).toEqual([30, 50, 40]);
    // Over h2, arrivals of the same instant came in one read: the held request answers them together.
    const together = [
      { dueMs: 0, atServerMs: 15 },
      { dueMs: 0, atServerMs: 15 },
      { dueMs: 10, atServerMs: 25 },
    ];
    expect(longPollLatencies(together, 15, { sameRead: true })).toEqual([30, 30, 50]);
    expect(longPollLatencies(together, 15)).toEqual([30, 60, 50]);
  });

  it('chat: 40 publishers at 1 msg/s reach the server every 25 ms, closer than a long poll\'s 2d round trip', () => {
    const chat = Array.from({ length: 40 }, (_, i) => ({ periodMs: 1000, offsetMs: i * 25, burstSize: 1 }));
    const theory = theoryLatency('longpoll', 15, 1000, chat);
    expect(theory.meanMs).toBeGreaterThan(30);
    expect(theory.meanMs).toBeLessThan(60);
    expect(theoryLatency('poll', 15, 1000, chat).meanMs).toBe(530);
  });

  it('chat: a client\'s turnaround r, however small, ends the lock-step of r = 0 (the steady state is about 3d)', () => {
    const chat = Array.from({ length: 40 }, (_, i) => ({ periodMs: 1000, offsetMs: i * 25, burstSize: 1 }));
    const locked = theoryLatency('longpoll', 15, 1000, chat).meanMs;
    const means = [0.05, 0.5, 1].map((reissueMs) => theoryLatency('longpoll', 15, 1000, chat, { reissueMs }).meanMs);
    for (const mean of means) {
      expect(mean).toBeGreaterThan(locked + 2);
      expect(Math.abs(mean - 45)).toBeLessThan(1);
    }
    const theory = theoryLatency('longpoll', 15, 1000, chat, { reissueMs: 0.05 });
    expect(theory.formula).toContain('2d + r for each message that waits');
    expect(theory.formula).toContain('r = 0.05 ms measured');
    expect(theory.reissueMs).toBe(0.05);
  });

  it('D: a pushed copy and a held long poll\'s answer wait D/2 for the copies written before them; a short poll does not', () => {
    const hosts = { fanoutMs: 2, reissueMs: 0.1 };
    for (const transport of ['sse', 'ws'] as const) {
      const theory = theoryLatency(transport, 15, 1000, undefined, hosts);
      expect(theory).toMatchObject({ meanMs: 31, worstMs: 32, fanoutMs: 2 });
      expect(theory.formula).toBe('mean ≈ 2d + D/2 (up and down); D = 2.00 ms measured');
      expect(theory.reissueMs).toBeUndefined();
    }
    const longpoll = theoryLatency('longpoll', 15, 1000, undefined, hosts);
    expect(longpoll.meanMs).toBe(31);
    expect(longpoll.formula).toBe('mean ≈ 2d + D/2, worst > 4d (RFC 6202); D = 2.00 ms, r = 0.10 ms measured');
    expect(theoryLatency('poll', 15, 1000, undefined, hosts)).toEqual(theoryLatency('poll', 15, 1000));
    // Unmeasured terms change nothing.
    expect(theoryLatency('sse', 15, 1000, undefined, {})).toEqual(theoryLatency('sse', 15, 1000));
  });

  it('long poll: the re-issued request is held 2d + r after its answer left, which left D/2 into the hand-out', () => {
    const arrivals = [
      { dueMs: 0, atServerMs: 15 },
      { dueMs: 10, atServerMs: 25 },
    ];
    // The 1st leaves at 15 + 1 (lands 31, latency 31); the request is back at 16 + 30 + 0.5 = 46.5; the 2nd goes then.
    expect(longPollLatencies(arrivals, 15, { fanoutMs: 2, reissueMs: 0.5 })).toEqual([31, 51.5]);
  });
});
