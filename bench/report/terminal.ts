/**
 * The summary printed at the end of a run: one table per scenario,
 * transport × key figures, plus the projection and the peers' ratios.
 */
import type { BenchResults } from '../schema.ts';
import { peersTable, projectionTable, summaryTable } from './tables.ts';
import type { Table } from './tables.ts';

/** Lays a table out in fixed-width columns (first column left-aligned, the rest right-aligned). */
export function formatTextTable(table: Table): string {
  const all = [table.head, ...table.rows];
  const widths = table.head.map((_, column) => Math.max(...all.map((row) => [...(row[column] ?? '')].length)));
  const line = (row: string[]): string =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd();
  const rule = widths.map((width) => '─'.repeat(width)).join('  ');
  return [table.caption, line(table.head), rule, ...table.rows.map(line)].join('\n');
}

export function formatSummary(results: BenchResults): string {
  const parts: string[] = [];
  if (results.incomplete) parts.push('!! INCOMPLETE RUN: the figures are what was measured before it stopped.');
  for (const scenario of results.scenarios) {
    parts.push(formatTextTable(summaryTable(scenario)));
    parts.push(formatTextTable(projectionTable(scenario)));
  }
  const peers = peersTable(results);
  if (peers) parts.push(formatTextTable(peers));
  for (const error of results.errors) parts.push(`error (${error.source}): ${error.message}`);
  return `${parts.join('\n\n')}\n`;
}
