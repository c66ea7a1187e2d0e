/**
 * The summary printed at the end: the report's own tables (bench/report/tables.ts)
 * rendered as aligned text, plus the http-ceiling figures and every error.
 */
import type { BenchResults } from '../schema.ts';
import type { CeilingFigures } from '../run/run-ceiling.ts';
import { peersTable, summaryTable, type Table } from '../report/tables.ts';

export function renderTable(table: Table): string {
  const widths = table.head.map((cell, i) => Math.max(cell.length, ...table.rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [table.caption, line(table.head), widths.map((width) => '─'.repeat(width)).join('  '), ...table.rows.map(line)].join('\n');
}

function ceilingText(ceiling: CeilingFigures): string {
  const endpoints = ceiling.endpoints.map(
    (endpoint) =>
      `  ${endpoint.endpoint.padEnd(20)} ${Math.round(endpoint.requestsPerSecond).toLocaleString('en')} req/s ` +
      `(p50 ${endpoint.latencyMs.p50} ms, p99 ${endpoint.latencyMs.p99} ms, ${ceiling.connections} connections)`,
  );
  const clients = ceiling.pollClients.map((row) => `T = ${row.intervalMs} ms → ${row.clients.toLocaleString('en')} clients`).join(', ');
  return [...endpoints, clients ? `  short-polling clients one process can serve: ${clients}` : ''].filter(Boolean).join('\n');
}

export function summaryText(results: BenchResults): string {
  const parts: string[] = [];
  for (const scenario of results.scenarios) {
    const ceiling = (scenario as { ceiling?: CeilingFigures }).ceiling;
    if (ceiling) parts.push(`${scenario.name}: ${scenario.description}\n${ceilingText(ceiling)}`);
    else if (scenario.transports.length > 0) parts.push(renderTable(summaryTable(scenario)));
    for (const error of [...scenario.errors, ...scenario.transports.flatMap((row) => row.errors.map((e) => ({ ...e, source: `${row.transport}/${e.source}` })))]) {
      parts.push(`  ! ${scenario.name} ${error.source}: ${error.message}${error.output ? `\n${indent(error.output)}` : ''}`);
    }
  }
  const peers = peersTable(results);
  if (peers) parts.push(renderTable(peers));
  for (const error of results.errors) parts.push(`! ${error.source}: ${error.message}${error.output ? `\n${indent(error.output)}` : ''}`);
  if (results.incomplete) parts.push('The run is INCOMPLETE: the figures are what was measured before it stopped.');
  return parts.join('\n\n');
}

function indent(text: string): string {
  return text.split('\n').map((line) => `    | ${line}`).join('\n');
}
