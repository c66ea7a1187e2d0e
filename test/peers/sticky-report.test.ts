import { describe, expect, it } from 'vitest';
import type { BenchResults, StickinessResult, StickinessRun } from '../../src/results/schema.ts';
import { validateResults } from '../../src/results/validate.ts';
import { formatSummary, renderHtmlReport, stickinessTable } from '../../bench/report/index.ts';
import { makeResultsFixture } from '../bench-core/fixture.ts';

/** The peers' sticky part in the results file, its validation, and its table in the text summary and the HTML report. */

function run(contender: string, balancing: 'round-robin' | 'sticky', over: Partial<StickinessRun> = {}): StickinessRun {
  return {
    contender, balancing, clients: 20, clientsSubscribed: 20, clientsWithMessage: 20, published: 60, expectedDeliveries: 1200,
    delivered: 1200, lost: 0, duplicates: 0, requests: 1200, failedRequests: 0, sessionIdUnknown: 0, reconnects: 0,
    failureReasons: {}, nodesAnswering: 2, durationSeconds: 7, ...over,
  };
}

const STICKY: StickinessResult = {
  config: { nodes: 2, clients: 20, ratePerSecond: 20, publishSeconds: 3, bodyBytes: 100, reconnectDelayMs: 1000, reconnectDelayMaxMs: 5000, stickyDirective: 'hash $remote_addr consistent;' },
  runs: [
    run('socket.io-polling', 'round-robin', { clientsSubscribed: 8, clientsWithMessage: 2, delivered: 3, lost: 1197, failedRequests: 80, sessionIdUnknown: 80, reconnects: 80, requests: 227 }),
    run('socket.io-polling', 'sticky'),
    run('ours', 'round-robin'),
  ],
  versions: { 'socket.io': 'socket.io@4.8.4', adapter: '@socket.io/redis-streams-adapter@0.3.1' },
  errors: [{ source: 'sticky:ours:round-robin', message: 'a test error' }],
};

function withSticky(sticky: unknown): BenchResults {
  const results = makeResultsFixture();
  return { ...results, peers: { ratios: [], errors: [], parts: ['sticky'], sticky } as BenchResults['peers'] };
}

describe('the sticky part in the results', () => {
  it('validates, and a broken one is named', () => {
    expect(validateResults(withSticky(STICKY)).ok).toBe(true);
    const broken = structuredClone(STICKY) as unknown as { runs: Record<string, unknown>[] };
    delete broken.runs[1].sessionIdUnknown;
    expect(validateResults(withSticky(broken))).toMatchObject({ ok: false, failure: 'corrupt', reason: 'peers.sticky runs[1].sessionIdUnknown is not a number' });
    expect(validateResults(withSticky({ runs: 'none' }))).toMatchObject({ ok: false, reason: 'peers.sticky has no config, versions or errors' });
  });

  it('prints one row per run: clients with a message, deliveries, loss, "Session ID unknown"', () => {
    const table = stickinessTable(withSticky(STICKY));
    expect(table?.rows).toEqual([
      ['Socket.IO polling', 'round-robin', '2 of 20', '3 / 1,200', '1,197', '0', '80', '80 / 227', '80', '2'],
      ['Socket.IO polling', 'sticky', '20 of 20', '1,200 / 1,200', '0', '0', '0', '0 / 1,200', '0', '2'],
      ['ours: long poll', 'round-robin', '20 of 20', '1,200 / 1,200', '0', '0', '0', '0 / 1,200', '0', '2'],
    ]);
    expect(table?.caption).toContain('hash $remote_addr consistent;');
    expect(stickinessTable(makeResultsFixture())).toBeNull();
  });

  it('is in the text summary and in the HTML report\'s peers section, with its errors', () => {
    const results = withSticky(STICKY);
    const text = formatSummary(results);
    expect(text).toContain('Session ID unknown');
    expect(text).toContain('a test error');
    const html = renderHtmlReport(results);
    const section = html.split('<section class="peers" id="peers">')[1]?.split('</section>')[0] ?? '';
    expect(section).toContain('who needs sticky sessions');
    expect(section).toContain('1,197');
    expect(html).toContain('<a href="#peers">peers</a>');
  });
});
