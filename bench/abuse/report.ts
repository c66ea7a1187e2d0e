/**
 * The `abuse` section of the terminal summary and the HTML report: one row
 * per attack. Called once from each report (bench/report/terminal.ts, html.ts).
 */
import type { BenchResults } from '../../src/results/schema.ts';
import { formatBytes, formatMs, formatNumber } from '../report/format.ts';
import type { Table } from '../report/tables.ts';

export function abuseTable(results: BenchResults): Table | null {
  const abuse = results.abuse;
  if (!abuse) return null;
  const clean = abuse.clean;
  return {
    caption:
      `What one attendee can do to the server while another chats (${clean.transport}, clean run p50 ${formatMs(clean.p50Ms)}, ` +
      `p99 ${formatMs(clean.p99Ms)}, peak RSS ${formatBytes(clean.peakRssBytes)}). Latency is the legitimate attendee's publish → own delivery ` +
      'during the attack; RSS is the server process\'s peak above its baseline, against the attack\'s bound.',
    head: ['attack', 'finding', 'attendee p50', 'p99', 'p99 ÷ clean', 'lost', 'refused', 'peak RSS', 'RSS rise / bound', 'attacker got', 'held'],
    rows: abuse.attacks.map((row) => [
      row.attack,
      row.finding,
      row.attendee ? `${formatMs(row.attendee.p50Ms)} (${row.attendee.transport})` : '–',
      row.attendee ? formatMs(row.attendee.p99Ms) : '–',
      row.p99VsClean === null ? '–' : `${formatNumber(row.p99VsClean, 1)}×`,
      row.attendee ? String(row.attendee.lost) : '–',
      row.attendee ? String(row.attendee.refused) : '–',
      formatBytes(row.peakRssBytes),
      `${formatBytes(row.rssGrowthBytes)} / ${formatBytes(row.rssBoundBytes)}`,
      Object.entries(row.refusals).map(([code, count]) => `${code} × ${count}`).join(', ') || 'no refusal',
      row.held ? 'yes' : `no: ${row.why.join('; ')}`,
    ]),
  };
}

/** The HTML section (empty when the run had no abuse scenario). */
export function abuseHtmlSection(results: BenchResults, renderTable: (table: Table) => string): string {
  const table = abuseTable(results);
  return table ? `<section class="abuse" id="abuse"><h2>What one attendee can do</h2>${renderTable(table)}</section>` : '';
}
