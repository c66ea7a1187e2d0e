import { describe, expect, it } from 'vitest';
import { bytesPerClientPerSecond, projectBandwidth, theoryLatency } from '../../bench/aggregate/index.ts';
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

describe('theory latency', () => {
  it('short poll: mean T/2 + d, worst T + d', () => {
    const theory = theoryLatency('poll', 50, 1000);
    expect(theory).toMatchObject({ model: 'short-poll', meanMs: 550, worstMs: 1050, worstIsLowerBound: false });
  });

  it('long poll: mean d, worst over 3d', () => {
    expect(theoryLatency('longpoll', 50, 1000)).toMatchObject({ model: 'long-poll', meanMs: 50, worstMs: 150, worstIsLowerBound: true });
  });

  it('SSE and WebSocket: d', () => {
    for (const transport of ['sse', 'ws'] as const) {
      expect(theoryLatency(transport, 15, 1000)).toMatchObject({ model: 'push', meanMs: 15, worstMs: 15 });
    }
  });
});
