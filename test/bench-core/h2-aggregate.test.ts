/** The HTTP/2 aggregation (bench/aggregate/h2.ts) against known values. */
import { describe, expect, it } from 'vitest';
import { addH2Counters, emptyH2Counters, frameOverhead, http2Figures, windowH2Counters } from '../../bench/aggregate/h2.ts';
import type { H2Counters } from '../../bench/run/ipc.ts';

function session(frameHeaders: number, control: number, windowUpdates: number): H2Counters {
  const counters = emptyH2Counters();
  counters.sessions = 1;
  counters.up = { preface: 24, frameHeaders, headerBlocks: 300, data: 50, padding: 0, control, tls: 0, frames: { HEADERS: 3, WINDOW_UPDATE: windowUpdates } };
  counters.down = { preface: 0, frameHeaders: 27, headerBlocks: 90, data: 120, padding: 2, control: 6, tls: 0, frames: { HEADERS: 3 } };
  counters.first = { requests: 1, up: 200, down: 60 };
  counters.rest = { requests: 2, up: 100, down: 30 };
  counters.publishFirst = { requests: 1, up: 150, down: 20 };
  counters.publishRest = { requests: 0, up: 0, down: 0 };
  return counters;
}

describe('HTTP/2 aggregation', () => {
  it('sums sessions, directions, frame types and header samples', () => {
    const sum = emptyH2Counters();
    addH2Counters(sum, session(27, 4, 1));
    addH2Counters(sum, session(36, 8, 2));
    expect(sum.sessions).toBe(2);
    expect(sum.up.frameHeaders).toBe(63);
    expect(sum.up.control).toBe(12);
    expect(sum.up.frames).toEqual({ HEADERS: 6, WINDOW_UPDATE: 3 });
    expect(sum.first).toEqual({ requests: 2, up: 400, down: 120 });
    expect(sum.rest).toEqual({ requests: 4, up: 200, down: 60 });
  });

  it('windows the directions but not the per-request samples, and drops frame types that did not occur', () => {
    const before = session(27, 4, 1);
    const after = session(45, 4, 1);
    after.up.frames = { HEADERS: 5, WINDOW_UPDATE: 1 };
    after.rest = { requests: 4, up: 180, down: 40 };
    const window = windowH2Counters(after, before);
    expect(window.up.frameHeaders).toBe(18);
    expect(window.up.preface).toBe(0);
    expect(window.up.frames).toEqual({ HEADERS: 2 });
    expect(window.rest).toEqual({ requests: 4, up: 180, down: 40 });
    expect(window.first).toEqual(after.first);
  });

  it('frame overhead is frame headers, control payloads, padding and the preface', () => {
    expect(frameOverhead({ preface: 24, frameHeaders: 90, headerBlocks: 1000, data: 500, padding: 3, control: 12, tls: 40, frames: {} })).toBe(129);
  });

  it('per request: first and steady means, both directions, and overhead over the window\'s requests', () => {
    const figures = http2Figures(session(27, 4, 1), 3);
    expect(figures.sessions).toBe(1);
    expect(figures.headerBytesPerRequest.first).toEqual({ requests: 1, up: 200, down: 60, total: 260 });
    expect(figures.headerBytesPerRequest.steady).toEqual({ requests: 2, up: 50, down: 15, total: 65 });
    expect(figures.publishHeaderBytesPerRequest.first.total).toBe(170);
    expect(figures.publishHeaderBytesPerRequest.steady).toEqual({ requests: 0, up: 0, down: 0, total: 0 });
    // up 24 + 27 + 4 + 0, down 0 + 27 + 6 + 2
    expect(figures.frameOverheadBytes).toBe(90);
    expect(figures.frameOverheadPerRequest).toBe(30);
  });
});
