/** The report's HTTP/2 parts: the h2 row's label, its projection row, and the HTTP/1.1 vs HTTP/2 header table. */
import { describe, expect, it } from 'vitest';
import { emptyH2Counters, http2Figures } from '../../bench/aggregate/h2.ts';
import { http2HeaderTable } from '../../bench/report/h2-table.ts';
import { projectionTable } from '../../bench/report/tables.ts';
import type { ScenarioResult, TransportResult } from '../../src/results/schema.ts';
import { makeResultsFixture } from './fixture.ts';

function withH2Poll(): { scenario: ScenarioResult; h2: TransportResult } {
  const scenario = structuredClone(makeResultsFixture().scenarios.find((s) => s.transports.some((row) => row.transport === 'poll'))!);
  const poll = scenario.transports.find((row) => row.transport === 'poll')!;
  poll.headerProjection = { basis: 'wire', requestsPerClientPerSecond: 1, bytesPerRequest: 800, projection: poll.projection };
  const counters = emptyH2Counters();
  counters.sessions = 2;
  counters.up.frameHeaders = 90;
  counters.first = { requests: 2, up: 900, down: 200 };
  counters.rest = { requests: 8, up: 400, down: 80 };
  const h2: TransportResult = {
    ...structuredClone(poll),
    http: '2',
    http2: http2Figures(counters, 10),
    headerProjection: { ...poll.headerProjection!, bytesPerRequest: 70 },
  };
  h2.wire.up.difference = { headers: 0, framing: 0, bodies: 0 };
  h2.wire.down.difference = { headers: 0, framing: 0, bodies: 0 };
  scenario.transports.splice(scenario.transports.indexOf(poll) + 1, 0, h2);
  return { scenario, h2 };
}

describe('report: HTTP/2 rows', () => {
  it('has no HTTP/2 table without an h2 row', () => {
    const scenario = makeResultsFixture().scenarios[0];
    expect(http2HeaderTable(scenario)).toBeNull();
  });

  it('puts the h2 poll next to its HTTP/1.1 heads: first, steady, frame overhead, on the wire, client − server', () => {
    const { scenario } = withH2Poll();
    const table = http2HeaderTable(scenario)!;
    expect(table.rows).toHaveLength(1);
    const [label, h1, first, steady, publish, overhead, wire, difference] = table.rows[0];
    expect(label).toBe('short poll');
    expect(h1).toBe('800');
    expect(first).toBe('550');
    expect(steady).toBe('60');
    expect(publish).toBe('—');
    expect(overhead).toBe('9');
    expect(wire).toBe('70');
    expect(difference).toBe('0');
    expect(table.caption).toMatch(/WebSocket stays on HTTP\/1\.1/);
  });

  it('gives the h2 row its own projection row, labelled as h2', () => {
    const { scenario } = withH2Poll();
    expect(projectionTable(scenario).rows.map((row) => row[0])).toContain('short poll · h2');
  });
});
