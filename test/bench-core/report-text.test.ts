/**
 * Issue 13: the report's words and numbers — per-message figures where
 * nothing was delivered, idle's own figures, no empty charts, "1 publisher",
 * one description per scenario, thousands separators, log-axis labels that
 * cannot overlap, and an in-page link to the peers.
 */
import { describe, expect, it } from 'vitest';
import {
  chartIdsFor, formatSummary, idleTable, logTickLabel, navLinks, NO_VALUE, renderHtmlReport, summaryTable, theoryTable,
  withLogTickLabels, workloadText,
} from '../../bench/report/index.ts';
import { formatMbps } from '../../bench/report/format.ts';
import type { ScenarioResult } from '../../src/results/schema.ts';
import { makeResultsFixture } from './fixture.ts';

const results = makeResultsFixture();
const scenario = (name: string): ScenarioResult => {
  const found = results.scenarios.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
};

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe('where nothing was delivered (idle)', () => {
  it('per-message ratios read "—", not 0', () => {
    const table = summaryTable(scenario('idle'));
    const column = (name: string): string[] => table.rows.map((row) => row[table.head.indexOf(name)]);
    for (const name of ['req/msg', 'bytes/msg', 'hdr/msg', 'p50']) expect(column(name)).toEqual(table.rows.map(() => NO_VALUE));
    // Where messages were delivered, the figures are there.
    const chat = summaryTable(scenario('chat'));
    expect(chat.rows.every((row) => row[chat.head.indexOf('req/msg')] !== NO_VALUE)).toBe(true);
  });

  it('idle has its own figures: requests, empty responses and bytes per client per second, held connections', () => {
    const idle = scenario('idle');
    const table = idleTable(idle);
    if (!table) throw new Error('no idle table');
    expect(table.head).toEqual([
      'transport', 'requests / client / s', 'empty / client / s', 'bytes / client / s', 'header bytes / client / s', 'held connections (mean)', 'peak',
    ]);
    const poll = idle.transports.find((row) => row.transport === 'poll');
    const pollRow = table.rows[idle.transports.findIndex((row) => row.transport === 'poll')];
    if (!poll) throw new Error('no poll');
    expect(Number(pollRow[1])).toBeCloseTo(poll.requests.total / poll.clients / poll.durationSeconds, 3);
    expect(Number(pollRow[1])).toBeGreaterThan(0);
    expect(idleTable(scenario('chat'))).toBeNull();
  });

  it('draws no empty charts: no latency, theory or latency series without deliveries', () => {
    expect(chartIdsFor(results, 'idle')).toEqual(['requests', 'bytes', 'connections', 'resources', 'series-bytes', 'series-event-loop']);
    expect(chartIdsFor(results, 'chat')).toContain('theory');
    const text = formatSummary(results);
    expect(text).not.toMatch(/0\.000 ms/);
    const html = renderHtmlReport(results).split('<script')[0];
    expect(html).not.toMatch(/(?<![\d,])0 publishers/);
    expect(html).toContain('nothing published');
  });
});

describe('report text', () => {
  it('"1 publisher", singular, and "each" only for several', () => {
    const fanout = { ...scenario('chat'), params: { ...scenario('chat').params, publishers: 1, publishRatePerSecond: 10 } };
    expect(workloadText(fanout)).toBe('20 clients · 1 publisher at 10 msg/s');
    expect(workloadText(scenario('chat'))).toMatch(/^20 clients · 20 publishers at [\d.]+ msg\/s each$/);
    expect(workloadText(scenario('idle'))).toMatch(/· nothing published$/);
  });

  it('prints each scenario description once, in the terminal and on the page', () => {
    const text = formatSummary(results);
    const page = renderHtmlReport(results).split('<script')[0];
    for (const { description } of results.scenarios) {
      expect(occurrences(text, description)).toBe(1);
      expect(occurrences(page, description.replace(/&/g, '&amp;').replace(/'/g, '&#39;'))).toBe(1);
    }
  });

  it('shows the theory with its formula in the terminal summary too', () => {
    const text = formatSummary(results);
    const theory = theoryTable(scenario('chat'));
    expect(theory.head).toContain('formula');
    for (const row of scenario('chat').transports) expect(text).toContain(row.theory.formula);
  });

  it('groups thousands over 1,000 Mbps and keeps the article\'s 6.6 / 66 / 665', () => {
    expect(formatMbps(2688.4)).toBe('2,688');
    expect(formatMbps(664.52)).toBe('665');
    expect(formatMbps(66.45)).toBe('66');
    expect(formatMbps(6.645)).toBe('6.6');
  });

  it('labels a log axis at powers of ten only, without trailing zeros', () => {
    expect([0.001, 0.01, 1, 10, 1000, 100_000].map(logTickLabel)).toEqual(['0.001', '0.01', '1', '10', '1,000', '100,000']);
    for (const crowded of [800, 900, 2, 3, 0.002, 0]) expect(logTickLabel(crowded)).toBe('');
    const config = withLogTickLabels({
      type: 'bar',
      data: { labels: [], datasets: [] },
      options: { scales: { y: { type: 'logarithmic' }, x: {} } },
    });
    const y = (config.options?.scales as Record<string, { ticks?: { callback?: (v: number) => string } }>).y;
    expect(y.ticks?.callback?.(1000)).toBe('1,000');
    expect(y.ticks?.callback?.(800)).toBe('');
  });

  it('links the peers section from the page', () => {
    const links = navLinks(results, true);
    expect(links).toContain('<a href="#peers">peers</a>');
    const html = renderHtmlReport(results);
    expect(html).toContain('<section class="peers" id="peers">');
    expect(html).toContain('<a href="#peers">peers</a>');
  });
});
