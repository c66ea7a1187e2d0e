/**
 * The 2009 replay's figures (bench/aggregate/replay-2009.ts) against known
 * values, and the report's table of them (bench/report/replay-table.ts).
 */
import { describe, expect, it } from 'vitest';
import { emptyH2Counters } from '../../bench/aggregate/h2.ts';
import { replay2009Figures } from '../../bench/aggregate/replay-2009.ts';
import { renderHtmlReport } from '../../bench/report/html.ts';
import { replay2009Table } from '../../bench/report/replay-table.ts';
import { formatSummary } from '../../bench/report/terminal.ts';
import type { ScenarioResult, TransportResult } from '../../src/results/schema.ts';
import { makeResultsFixture } from './fixture.ts';

describe('the 2009 replay\'s figures', () => {
  it('HTTP/1.1: the heads less their line ends, per poll, once a second → 6.6 / 66 / 665 Mbps', () => {
    // Ten polls of 716 B up and 195 B down, 2 × 12 + 2 × 7 line-end bytes each.
    const figures = replay2009Figures({ requests: 10, headBytes: 10 * (716 + 195), lineEnds: 10 * 38 });
    expect(figures.basis).toBe('article');
    expect(figures.firstBytesPerRequest).toBe(873);
    expect(figures.steadyBytesPerRequest).toBe(873);
    expect(figures.wireBytesPerRequest).toBe(911);
    const exact = replay2009Figures({ requests: 4, headBytes: 4 * 909, lineEnds: 4 * 38 });
    expect(exact.projection.rows.map((row) => row.mebibitsPerSecond.toFixed(1))).toEqual(['6.6', '66.5', '664.5']);
  });

  it('HTTP/2: the HPACK blocks of each session\'s first poll and of the rest, projected from the steady state', () => {
    const h2 = emptyH2Counters();
    h2.first = { requests: 2, up: 2 * 420, down: 2 * 80 };
    h2.rest = { requests: 20, up: 20 * 30, down: 20 * 25 };
    const figures = replay2009Figures({ requests: 20, headBytes: 20 * 97, lineEnds: 0, h2 });
    expect(figures).toMatchObject({ basis: 'hpack', firstBytesPerRequest: 500, steadyBytesPerRequest: 55, wireBytesPerRequest: 97 });
    // 55 B × 1,000 clients × 8 bits, in 2^20 bits.
    expect(figures.projection.rows[0].mebibitsPerSecond).toBeCloseTo((55 * 1000 * 8) / 1_048_576, 9);
    expect(figures.projection.rows.map((row) => row.clients)).toEqual([1_000, 10_000, 100_000]);
  });
});

function replayScenario(): ScenarioResult {
  const scenario = structuredClone(makeResultsFixture().scenarios.find((s) => s.transports.some((row) => row.transport === 'poll'))!);
  const poll = scenario.transports.find((row) => row.transport === 'poll')!;
  poll.replay2009 = replay2009Figures({ requests: 4, headBytes: 4 * 909, lineEnds: 4 * 38 });
  const counters = emptyH2Counters();
  counters.first = { requests: 1, up: 420, down: 80 };
  counters.rest = { requests: 3, up: 90, down: 75 };
  const h2: TransportResult = { ...structuredClone(poll), http: '2', replay2009: replay2009Figures({ requests: 3, headBytes: 3 * 97, lineEnds: 0, h2: counters }) };
  const tls: TransportResult = { ...structuredClone(h2), tls: true };
  for (const row of [poll, h2, tls]) {
    row.wire.up.difference = { headers: 0, framing: 0, bodies: 0 };
    row.wire.down.difference = { headers: 0, framing: 0, bodies: 0 };
  }
  scenario.transports = [poll, h2, tls];
  return scenario;
}

describe('report: the 2009 replay table', () => {
  it('is absent without a replay row', () => {
    expect(replay2009Table(makeResultsFixture().scenarios[0])).toBeNull();
  });

  it('puts HTTP/1.1 as the article counted next to h2 and h2 over TLS after HPACK, each projected once a second', () => {
    const table = replay2009Table(replayScenario())!;
    expect(table.head).toEqual([
      'poll', 'header bytes: first', 'header bytes: steady', 'on the wire / poll',
      '1,000 clients', '10,000 clients', '100,000 clients', 'client − server (B)',
    ]);
    expect(table.rows).toEqual([
      ['short poll · HTTP/1.1 (as the article counted)', '871', '871', '909', '6.6 Mbps', '66 Mbps', '665 Mbps', '0'],
      ['short poll · h2 (HPACK)', '500', '55', '97', '0.420 Mbps', '4.2 Mbps', '42 Mbps', '0'],
      ['short poll · h2 TLS (HPACK)', '500', '55', '97', '0.420 Mbps', '4.2 Mbps', '42 Mbps', '0'],
    ]);
    expect(table.caption).toMatch(/6\.6 \/ 66 \/ 665 Mbps/);
  });

  it('is in the text summary and the HTML report', () => {
    const results = makeResultsFixture();
    results.scenarios = [replayScenario()];
    expect(formatSummary(results)).toMatch(/The 2009 replay[\s\S]*short poll · h2 \(HPACK\)/);
    expect(renderHtmlReport(results)).toMatch(/The 2009 replay[\s\S]*short poll · h2 TLS \(HPACK\)[\s\S]*0\.420 Mbps/);
  });
});
